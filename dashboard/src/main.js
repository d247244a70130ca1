// The admin dashboard: sign-in with a pasted admin token, filters (program, cohort, weeks), and
// the views, each redrawn whenever a filter changes. Everything comes from the JSON API.

import { api, ApiError } from "./api.js";
import { disposeAllCharts } from "./charts.js";
import { byId, h } from "./dom.js";
import { explore, resetExplorer, setUpExplorer } from "./explorer.js";
import { describeToken, forgetToken, storedToken, storeToken } from "./session.js";
import { renderFastFail } from "./views/fastfail.js";
import { renderDegree, renderGrowth } from "./views/network.js";
import { renderOutcomes } from "./views/outcomes.js";
import { renderCompletion, renderDropout, renderPortability, renderSentiment, renderSla } from "./views/weekly.js";
import { resetCard, setLoading, showMessage } from "./card.js";
import { checkRange, defaultRange } from "./weeks.js";

const MAX_OUTCOME_COHORTS = 12;
const ALL = "";

const state = {
  programs: [],
  cohorts: [],
  platforms: null,
  controller: null,
  generation: 0,
};

const cards = {
  completion: () => byId("view-completion"),
  sla: () => byId("view-sla"),
  sentiment: () => byId("view-sentiment"),
  dropout: () => byId("view-dropout"),
  portability: () => byId("view-portability"),
  growth: () => byId("view-growth"),
  degree: () => byId("view-degree"),
  outcomes: () => byId("view-outcomes"),
  fastFail: () => byId("view-fast-fail"),
};

function byName(a, b) {
  return a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

function option(value, text) {
  return h("option", { value, text });
}

// ---- Signing in and out -------------------------------------------------------------------

function explainRefusal(error) {
  if (!(error instanceof ApiError)) return "The API could not be reached. Check the service is running and try again.";
  if (error.status === 401) return `The token was refused: ${error.message}`;
  if (error.status === 403) return "This token is not an admin's. The dashboard needs an admin access token.";
  return `The API answered ${error.status}: ${error.message}`;
}

async function signIn(event) {
  event.preventDefault();
  const input = byId("token-input");
  const message = byId("sign-in-error");
  const token = input.value.trim();
  message.textContent = "";
  if (!token) {
    message.textContent = "Paste an admin access token first.";
    input.focus();
    return;
  }
  let programs;
  try {
    programs = await api.programs({ token });
  } catch (error) {
    message.textContent = explainRefusal(error);
    input.focus();
    return;
  }
  input.value = "";
  storeToken(token);
  await enter(token, programs);
}

function signOut(reason = "") {
  forgetToken();
  state.controller?.abort();
  state.generation += 1;
  state.programs = [];
  state.cohorts = [];
  state.platforms = null;
  disposeAllCharts();
  for (const card of Object.values(cards)) resetCard(card());
  resetExplorer();
  byId("dashboard").hidden = true;
  byId("session").hidden = true;
  byId("session-who").textContent = "";
  byId("sign-in").hidden = false;
  byId("sign-in-error").textContent = reason;
  byId("token-input").focus();
}

async function enter(token, programs) {
  const who = describeToken(token);
  const everyProgram = !who || who.programs.includes("*");
  state.programs = [...programs].sort(byName);
  byId("session-who").textContent = who
    ? `Signed in as ${who.subject} · ${everyProgram ? "all programs" : `${state.programs.length} program(s)`}`
    : "Signed in";
  byId("session").hidden = false;
  byId("sign-in").hidden = true;
  byId("dashboard").hidden = false;

  const programSelect = byId("filter-program");
  programSelect.replaceChildren(
    ...(everyProgram ? [option(ALL, "All programs")] : []),
    ...state.programs.map((p) => option(p.id, p.name)),
  );
  const range = defaultRange();
  byId("filter-from").value = range.from;
  byId("filter-to").value = range.to;
  api
    .platforms()
    .then((items) => {
      state.platforms = items;
    })
    .catch(() => {
      state.platforms = null;
    });
  await loadCohorts();
  byId("main").focus();
  await refresh();
}

// ---- Filters -----------------------------------------------------------------------------

async function loadCohorts() {
  const programId = byId("filter-program").value;
  const select = byId("filter-cohort");
  state.cohorts = [];
  if (!programId) {
    select.replaceChildren(option(ALL, "All cohorts (choose a program)"));
    select.disabled = true;
    return;
  }
  select.disabled = true;
  select.replaceChildren(option(ALL, "Loading cohorts…"));
  try {
    state.cohorts = (await api.cohorts(programId)).sort(byName);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return unauthorized();
    select.replaceChildren(option(ALL, "All cohorts (could not load the list)"));
    return;
  }
  select.replaceChildren(option(ALL, "All cohorts"), ...state.cohorts.map((c) => option(c.id, c.name)));
  select.disabled = false;
}

function currentQuery() {
  const from = byId("filter-from");
  const to = byId("filter-to");
  const error = byId("range-error");
  const checked = checkRange(from.value, to.value);
  from.removeAttribute("aria-invalid");
  to.removeAttribute("aria-invalid");
  if (checked.error) {
    error.textContent = checked.error;
    (checked.field === "to" ? to : from).setAttribute("aria-invalid", "true");
    return null;
  }
  error.textContent = "";
  from.value = checked.from;
  to.value = checked.to;
  return {
    program_id: byId("filter-program").value || null,
    cohort_id: byId("filter-cohort").value || null,
    from: checked.from,
    to: checked.to,
  };
}

function queryKey(query) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) search.set(name, value);
  return search.toString();
}

// Display names of people (the fast-fail list names mentors and mentees, not ids); one that cannot
// be read keeps its id.
async function personNames(ids, signal) {
  const unique = [...new Set(ids)];
  const found = await Promise.all(
    unique.map((id) =>
      api
        .person(id, { signal })
        .then((person) => [id, person.display_name])
        .catch(() => [id, null]),
    ),
  );
  return new Map(found.filter(([, name]) => name));
}

function exploreFromList(personId) {
  byId("explorer").scrollIntoView({ block: "start" });
  explore(personId);
}

// ---- Loading and drawing -------------------------------------------------------------------

function unauthorized() {
  signOut("The API refused the token (expired or revoked). Sign in again.");
}

function explainFailure(error, what) {
  if (error instanceof ApiError) {
    if (error.status === 404) {
      return `${what} are not available from this server (GET ${error.path} answered 404: ${error.message})`;
    }
    return `${what} could not be loaded (HTTP ${error.status}): ${error.message}`;
  }
  return `${what} could not be loaded: ${error.message}`;
}

async function refresh() {
  const query = currentQuery();
  if (!query) return;
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  const mine = ++state.generation;
  const signal = controller.signal;
  const dashboard = byId("dashboard");
  dashboard.setAttribute("aria-busy", "true");
  delete dashboard.dataset.query;
  for (const card of Object.values(cards)) setLoading(card());
  byId("status").textContent = "Loading…";

  const current = () => mine === state.generation;
  const failed = (targets, what) => (error) => {
    if (!current() || error.name === "AbortError") return;
    if (error instanceof ApiError && error.status === 401) return unauthorized();
    for (const card of targets) showMessage(card(), explainFailure(error, what), "error");
  };
  const metricRange = { program_id: query.program_id, cohort_id: query.cohort_id, from: query.from, to: query.to };

  const weekly = api
    .weekly(metricRange, { signal })
    .then((report) => {
      if (!current()) return;
      renderCompletion(cards.completion(), report);
      renderSla(cards.sla(), report);
      renderSentiment(cards.sentiment(), report);
      renderDropout(cards.dropout(), report);
      renderPortability(cards.portability(), report, state.platforms);
    })
    .catch(failed([cards.completion, cards.sla, cards.sentiment, cards.dropout, cards.portability], "Weekly metrics"));

  const network = api
    .network({ program_id: query.program_id, from: query.from, to: query.to }, { signal })
    .then((report) => {
      if (!current()) return;
      renderGrowth(cards.growth(), report);
      renderDegree(cards.degree(), report);
    })
    .catch(failed([cards.growth, cards.degree], "Network metrics"));

  const fastFail = api
    .fastFail({ program_id: query.program_id, cohort_id: query.cohort_id }, { signal })
    .then(async (report) => {
      const names = await personNames(report.items.flatMap((item) => [item.mentor_id, item.mentee_id]), signal);
      if (!current()) return;
      renderFastFail(
        cards.fastFail(),
        report,
        exploreFromList,
        new Map(state.cohorts.map((c) => [c.id, c.name])),
        names,
      );
    })
    .catch(failed([cards.fastFail], "Fast-fail signals"));

  const outcomes = loadOutcomes(query, signal, current).catch(failed([cards.outcomes], "Outcomes"));

  await Promise.allSettled([weekly, network, fastFail, outcomes]);
  if (!current()) return;
  dashboard.setAttribute("aria-busy", "false");
  dashboard.dataset.query = queryKey(query);
  const program = state.programs.find((p) => p.id === query.program_id);
  const cohort = state.cohorts.find((c) => c.id === query.cohort_id);
  byId("status").textContent =
    `Showing ${cohort ? `cohort ${cohort.name} of ` : ""}${program ? program.name : "all programs"}, ` +
    `${query.from} to ${query.to} (UTC). Updated ${new Date().toLocaleTimeString()}.`;
}

async function loadOutcomes(query, signal, current) {
  const card = cards.outcomes();
  let cohortIds;
  let note = "";
  if (query.cohort_id) cohortIds = [query.cohort_id];
  else if (query.program_id) {
    cohortIds = state.cohorts.slice(0, MAX_OUTCOME_COHORTS).map((c) => c.id);
    if (state.cohorts.length > MAX_OUTCOME_COHORTS) {
      note = ` Showing the first ${MAX_OUTCOME_COHORTS} of ${state.cohorts.length} cohorts; choose a cohort to see another.`;
    }
  } else {
    showMessage(card, "Choose a program or a cohort to see its outcomes.");
    return;
  }
  if (!cohortIds.length) {
    showMessage(card, "This program has no cohorts yet.");
    return;
  }
  const reports = await Promise.all(cohortIds.map((id) => api.outcomes(id, { signal })));
  if (!current()) return;
  const names = new Map(state.cohorts.map((c) => [c.id, c.name]));
  renderOutcomes(card, reports, names);
  if (note) card.querySelector(".card-summary").textContent += note;
}

// ---- Start ---------------------------------------------------------------------------------

function start() {
  setUpExplorer();
  byId("sign-in-form").addEventListener("submit", signIn);
  byId("sign-out").addEventListener("click", () => signOut("Signed out."));
  document.addEventListener("rolodex:unauthorized", unauthorized);
  byId("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
  byId("filter-program").addEventListener("change", async () => {
    await loadCohorts();
    await refresh();
  });
  byId("filter-cohort").addEventListener("change", () => refresh());
  byId("filter-from").addEventListener("change", () => refresh());
  byId("filter-to").addEventListener("change", () => refresh());

  const token = storedToken();
  if (!token) {
    byId("sign-in").hidden = false;
    return;
  }
  api
    .programs({ token })
    .then((programs) => enter(token, programs))
    .catch((error) => signOut(explainRefusal(error)));
}

start();
