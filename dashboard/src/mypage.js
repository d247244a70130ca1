// "My Rolodex" (GET /me): a person's own page. Signs in with the organisation's identity provider
// (OpenID Connect, code flow + PKCE, see mypage/auth.js), or in development as a demo person;
// then shows what the person may do with their own data, every section through the JSON API.

import { byId, clear, h } from "./dom.js";
import { ApiError, getJson, sendJson, useToken } from "./mypage/api.js";
import * as auth from "./mypage/auth.js";
import { renderContacts } from "./mypage/contacts.js";
import { renderMentorships } from "./mypage/mentorships.js";
import { renderCalendar, renderMatches, renderPortable } from "./mypage/portable.js";
import { renderProfile } from "./mypage/profile.js";
import { renderConsents, renderPreferences } from "./mypage/sharing.js";
import { withMessage } from "./mypage/ui.js";

const status = byId("status");
let config = null;

function say(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

function show(id, visible) {
  byId(id).hidden = !visible;
}

async function signedOut(message) {
  await auth.signOut();
  useToken(null);
  show("session", false);
  show("app", false);
  show("create-profile", false);
  for (const id of ["profile-body", "mentorships-body", "contacts-body", "preferences-body", "consents-body", "portable-body", "matches-body", "calendar-body"]) {
    clear(byId(id));
  }
  await showSignIn();
  say(message || "Signed out.");
}

async function showSignIn() {
  show("sign-in", true);
  show("sign-in-idp", auth.oidcConfigured(config));
  show("sign-in-none", !auth.oidcConfigured(config) && !config.dev_sign_in);
  show("dev-sign-in", config.dev_sign_in);
  if (config.dev_sign_in) {
    const people = await auth.devPeople();
    const select = byId("dev-person");
    clear(select).append(...people.map((p) => h("option", { value: p.id }, `${p.display_name} (${p.roles.join(", ")})`)));
    select.disabled = !people.length;
    byId("dev-sign-in-submit").disabled = !people.length;
    byId("dev-none").hidden = people.length > 0;
  }
}

function section(id, render) {
  const body = byId(`${id}-body`);
  return Promise.resolve()
    .then(render)
    .catch((error) => {
      clear(body).append(h("p", { class: "error" }, `Could not load this part: ${error.message}`));
    });
}

async function showApp(person) {
  show("create-profile", false);
  show("sign-in", false);
  show("app", true);
  byId("session-who").textContent = `Signed in as ${person.display_name}`;
  const refreshMentorships = () => section("mentorships", () => renderMentorships(byId("mentorships-body"), person, refreshMentorships));
  renderProfile(byId("profile-body"), person, (saved) => {
    byId("session-who").textContent = `Signed in as ${saved.display_name}`;
  });
  renderPortable(byId("portable-body"), person);
  await Promise.all([
    refreshMentorships(),
    section("contacts", () => renderContacts(byId("contacts-body"), person)),
    section("preferences", () => renderPreferences(byId("preferences-body"), person)),
    section("consents", () => renderConsents(byId("consents-body"), person)),
    section("matches", () => renderMatches(byId("matches-body"), person)),
    section("calendar", () => renderCalendar(byId("calendar-body"), person)),
  ]);
  say("");
}

async function offerProfile() {
  show("sign-in", false);
  show("create-profile", true);
  const hint = await auth.profileHint();
  if (hint && hint.name) byId("create-name").value = hint.name;
  byId("create-name").focus();
}

async function enter(token) {
  useToken(token, () => signedOut("Your sign-in has expired or was refused: please sign in again."));
  show("session", true);
  byId("session-who").textContent = "Signed in";
  try {
    const person = await getJson("/v1/me");
    await showApp(person);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) await offerProfile();
    else if (!(error instanceof ApiError && error.status === 401)) say(error.message, true);
  }
}

function wire() {
  byId("sign-out").addEventListener("click", () => signedOut());
  byId("sign-in-button").addEventListener("click", () =>
    withMessage(byId("sign-in-error"), "Going to your organisation's sign-in…", () => auth.signIn()),
  );
  byId("dev-sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    withMessage(byId("sign-in-error"), "Signing in…", async () => {
      const token = await auth.devSignIn(byId("dev-person").value);
      await enter(token);
      return "";
    });
  });
  byId("create-profile-form").addEventListener("submit", (event) => {
    event.preventDefault();
    withMessage(byId("create-error"), "Creating…", async () => {
      const roles = [];
      if (byId("create-role-mentee").checked) roles.push("mentee");
      if (byId("create-role-mentor").checked) roles.push("mentor");
      if (!roles.length) throw new Error("Choose at least one: mentee or mentor.");
      const person = await sendJson("POST", "/v1/people", {
        display_name: byId("create-name").value.trim(),
        headline: byId("create-headline").value.trim() || null,
        roles,
      });
      await showApp(person);
      return "";
    });
  });
}

async function main() {
  wire();
  try {
    config = await auth.loadConfig();
  } catch (error) {
    say(error.message, true);
    return;
  }
  let token = null;
  try {
    token = await auth.start(config, () => signedOut("Your session has ended: please sign in again."));
  } catch (error) {
    say(`Sign-in did not complete: ${error.message}`, true);
  }
  if (token) await enter(token);
  else await showSignIn();
}

main();
