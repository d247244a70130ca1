// Taking the profile along (the signed bundle), mentor suggestions with their reasons, and the
// private calendar subscription of the person's sessions.

import { h, clear } from "../dom.js";
import { call, download, enc, getJson, sendJson } from "./api.js";
import { button, empty, messageLine, when, withMessage } from "./ui.js";

export function renderPortable(body, person) {
  const line = messageLine();
  clear(body).append(
    h("p", {}, "Your portable profile is a signed file (a bundle) that other platforms can verify. Keep it, or import it elsewhere."),
    h("div", { class: "actions" }, button("Download my portable profile", () => withMessage(line, "Preparing…", async () => {
      await download("/v1/me/bundle", `rolodex-${person.id}.jose`, "application/jose");
      return "Bundle downloaded.";
    }))),
    line,
  );
}

export async function renderMatches(body, person) {
  clear(body);
  if (!person.roles.includes("mentee")) {
    body.append(empty("Suggestions are for mentees."));
    return;
  }
  let result;
  try {
    result = await getJson(`/v1/people/${enc(person.id)}/matches`);
  } catch (error) {
    body.append(empty(`No suggestions: ${error.message}`));
    return;
  }
  if (!result.matches.length) {
    body.append(empty("No suggestions right now."));
    return;
  }
  body.append(
    h(
      "ol",
      { class: "items" },
      result.matches.map((match) =>
        h("li", { class: "item" }, h("strong", {}, match.display_name), h("ul", { class: "reasons" }, match.reasons.map((r) => h("li", {}, typeof r === "string" ? r : r.text || r.detail || JSON.stringify(r))))),
      ),
    ),
  );
}

export async function renderCalendar(body, person) {
  const base = `/v1/people/${enc(person.id)}/calendar-feed`;
  const state = await getJson(base);
  const line = messageLine();
  const urlBox = h("div");
  const rotate = () => withMessage(line, "Making a new address…", async () => {
    const made = await sendJson("POST", base);
    await renderCalendar(body, person);
    const input = h("input", { type: "text", readonly: true, value: made.url, id: "calendar-url", "aria-describedby": "calendar-url-help" });
    clear(body.querySelector("[data-url]")).append(
      h("label", { for: "calendar-url" }, "Subscription address (shown only now — copy it into your calendar app)"),
      input,
      h("p", { class: "muted", id: "calendar-url-help" }, "Anyone with this address sees your session times; rotate it if it leaks."),
    );
    input.focus();
    input.select();
    return "";
  });
  const revoke = () => withMessage(line, "Revoking…", async () => {
    await call("DELETE", base);
    await renderCalendar(body, person);
    return "";
  });
  urlBox.dataset.url = "";
  clear(body).append(
    h("p", {}, state.active ? `A subscription address is active (made ${when(state.created_at)}).` : "Subscribe to your sessions from Apple Calendar, Google Calendar or Outlook."),
    h(
      "div",
      { class: "actions" },
      button(state.active ? "Rotate the address" : "Make a subscription address", rotate),
      state.active ? button("Revoke", revoke, { class: "button-quiet" }) : null,
    ),
    urlBox,
    line,
  );
}
