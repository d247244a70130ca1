// The JSON API as the dashboard calls it: same origin, `Authorization: Bearer`, problem+json
// errors turned into ApiError. No request ever carries the token anywhere but that header.

import { storedToken } from "./session.js";

export class ApiError extends Error {
  constructor(status, problem, path) {
    super((problem && (problem.detail || problem.title)) || `The API answered ${status}.`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || null;
    this.path = path;
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export async function getJson(path, params, { signal, token } = {}) {
  const bearer = token || storedToken();
  const url = path + query(params);
  const response = await fetch(url, {
    method: "GET",
    headers: { Accept: "application/json", Authorization: `Bearer ${bearer}` },
    credentials: "omit",
    cache: "no-store",
    referrerPolicy: "no-referrer",
    signal,
  });
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, body, path);
  return body;
}

// Every item of a paginated list (`{items, next_cursor}`), following cursors.
export async function getAll(path, params, options) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 100; page += 1) {
    const body = await getJson(path, { ...params, limit: 200, cursor }, options);
    items.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return items;
}

const encode = encodeURIComponent;

export const api = {
  programs: (options) => getAll("/v1/programs", {}, options),
  cohorts: (programId, options) => getAll(`/v1/programs/${encode(programId)}/cohorts`, {}, options),
  platforms: (options) => getAll("/v1/admin/platforms", {}, options),
  weekly: (params, options) => getJson("/v1/metrics/weekly", params, options),
  network: (params, options) => getJson("/v1/metrics/network", params, options),
  fastFail: (params, options) => getJson("/v1/metrics/fast-fail", params, options),
  outcomes: (cohortId, options) => getJson(`/v1/cohorts/${encode(cohortId)}/outcomes`, {}, options),
  // Admins find people of their programs by a part of the name (the API keeps to their reach).
  findPeople: (name, options) => getJson("/v1/people", { name, limit: 20 }, options),
  person: (personId, options) => getJson(`/v1/people/${encode(personId)}`, {}, options),
  egoNetwork: (personId, depth, options) =>
    getJson(`/v1/people/${encode(personId)}/network`, { depth }, options),
};
