// The JSON API as "My Rolodex" calls it: same origin, the person's bearer token, problem+json
// errors turned into ApiError.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `The server answered ${status}.`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || null;
  }
}

let token = null;
let onUnauthorized = () => {};

export function useToken(value, unauthorized) {
  token = value;
  if (unauthorized) onUnauthorized = unauthorized;
}

export async function call(method, path, { json, body, contentType, accept } = {}) {
  const headers = { Accept: accept || "application/json", Authorization: `Bearer ${token}` };
  let payload = body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(json);
  } else if (contentType) headers["Content-Type"] = contentType;
  const response = await fetch(path, {
    method,
    headers,
    body: payload,
    credentials: "omit",
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
  if (response.status === 401) onUnauthorized();
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, problem);
  }
  return response;
}

export async function getJson(path) {
  return (await call("GET", path)).json();
}

export async function sendJson(method, path, json) {
  const response = await call(method, path, { json });
  return response.status === 204 ? null : response.json();
}

export async function getAll(path) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 50; page += 1) {
    const sep = path.includes("?") ? "&" : "?";
    const url = `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const body = await getJson(url);
    items.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return items;
}

// Save a download through a same-origin blob URL (the token stays in the header).
export async function download(path, filename, accept) {
  const response = await call("GET", path, { accept });
  saveFile(await response.blob(), filename);
}

// Hand `blob` to the browser as a file named `filename` (a same-origin blob: no token in a URL).
export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const enc = encodeURIComponent;
