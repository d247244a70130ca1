// Taking the profile along (the signed bundle, or an SD-JWT VC credential bound to the person's
// wallet key: docs/credentials.md), mentor suggestions with their reasons, and the
// private calendar subscription of the person's sessions.

import { h, clear } from "../dom.js";
import { call, download, enc, getJson, saveFile, sendJson } from "./api.js";
import { button, empty, field, messageLine, when, withMessage } from "./ui.js";

export function renderPortable(body, person) {
  const line = messageLine();
  clear(body).append(
    h("p", {}, "Your portable profile is a signed file (a bundle) that other platforms can verify. Keep it, or import it elsewhere."),
    h("div", { class: "actions" }, button("Download my portable profile", () => withMessage(line, "Preparing…", async () => {
      await download("/v1/me/bundle", `rolodex-${person.id}.jose`, "application/jose");
      return "Bundle downloaded.";
    }))),
    line,
    ...credentialForm(),
  );
}

// A credential is bound to a key only the person's wallet holds: they paste its public JWK
// (`rolodex wallet keygen`), and get the issued answer as a file for `rolodex wallet receive`.
function credentialForm() {
  const line = messageLine();
  const jwk = h("textarea", { rows: 3, spellcheck: "false", "aria-describedby": "credential-jwk-help" });
  const issue = () => withMessage(line, "Issuing…", async () => {
    let holder;
    try {
      holder = JSON.parse(jwk.value);
    } catch {
      throw new Error("The wallet key is not JSON: paste what `rolodex wallet keygen` printed.");
    }
    const issued = await sendJson("POST", "/v1/me/credentials", { holder_jwk: holder });
    const text = `${JSON.stringify(issued, null, 2)}\n`;
    saveFile(new Blob([text], { type: "application/json" }), `rolodex-credential-${issued.credential_id}.json`);
    return `Credential ${issued.credential_id} downloaded (valid until ${when(issued.expires_at)}): run rolodex wallet receive on the file.`;
  });
  return [
    h("h3", {}, "A credential for my wallet"),
    h("p", { id: "credential-jwk-help" }, "A signed credential (SD-JWT VC) lets you show a verifier only the parts of your profile you choose. It is bound to your wallet's key: paste the public key that rolodex wallet keygen printed."),
    field("credential-jwk", "Wallet public key (JWK)", jwk),
    h("div", { class: "actions" }, button("Download a credential", issue)),
    line,
  ];
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
