// Sharing: preferences beside the defaults they inherit; the platforms the person consented to
// (scopes, receipt, one-click revoke); and consenting to a partner platform after a preview.

import { h, clear } from "../dom.js";
import { call, enc, getAll, getJson, sendJson } from "./api.js";
import { button, empty, field, messageLine, when, withMessage } from "./ui.js";

const CHOICES = [
  ["discoverable", "Others may find me (suggestions, network views)", ["true", "false"]],
  ["match_suggestions", "Suggest mentors to me", ["true", "false"]],
  ["profile_visibility", "Who sees my profile", ["private", "program", "public"]],
  ["share_contacts", "Share my contacts in bundles", ["true", "false"]],
  ["share_outcomes", "Share my outcomes in bundles", ["true", "false"]],
];
const SCOPES = ["profile", "contacts", "mentorships", "sessions", "outcomes", "preferences"];

function sourceText(source) {
  if (source === "person") return "your choice";
  if (source === "system") return "system default";
  if (source.startsWith("program:")) return `default of program ${source.slice(8)}`;
  if (source.startsWith("audience:")) return `for ${source.slice(9)} only`;
  return source;
}

const parse = (text) => (text === "true" ? true : text === "false" ? false : text);

export async function renderPreferences(body, person) {
  const base = `/v1/people/${enc(person.id)}/preferences`;
  const [stored, effective] = await Promise.all([getJson(base), getJson(`${base}/effective`)]);
  const line = messageLine();
  const selects = {};
  const rows = CHOICES.map(([key, label, options]) => {
    const value = effective.values[key];
    const own = stored.choices ? stored.choices[key] : null;
    const inheritedText = value && value.source !== "person" ? `${value.value} (${sourceText(value.source)})` : "the default";
    const select = h(
      "select",
      { "aria-describedby": `pref-${key}-now` },
      // Discoverability is always the person's own choice (programs set no default for it).
      key === "discoverable" ? null : h("option", { value: "" }, `Inherit: ${inheritedText}`),
      options.map((option) => h("option", { value: option, selected: own !== null && own !== undefined && String(own) === option }, option)),
    );
    selects[key] = select;
    return h(
      "div",
      { class: "pref", dataset: { key } },
      field(`pref-${key}`, label, select),
      h("p", { class: "muted", id: `pref-${key}-now` }, value ? `Now: ${value.value} — ${sourceText(value.source)}` : ""),
    );
  });
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        withMessage(line, "Saving…", async () => {
          const choices = {};
          for (const [key] of CHOICES) choices[key] = selects[key].value === "" ? null : parse(selects[key].value);
          await sendJson("PUT", base, { version: 2, choices, overrides: stored.overrides || {} });
          await renderPreferences(body, person);
          return "Preferences saved.";
        });
      },
    },
    rows,
    h("button", { type: "submit" }, "Save preferences"),
    line,
  );
  clear(body).append(form);
}

function receiptClaims(receipt) {
  try {
    const part = receipt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(window.atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

async function consentList(person, container, refreshAll) {
  const consents = (await getAll(`/v1/people/${enc(person.id)}/consents`)).filter((c) => c.audience !== "self");
  clear(container);
  if (!consents.length) {
    container.append(empty("You share with no platform."));
    return;
  }
  const list = h("ul", { class: "items" });
  for (const consent of consents) {
    const line = messageLine();
    const receiptBox = h("div");
    const item = h(
      "li",
      { class: "item consent", dataset: { consent: consent.id, status: consent.status } },
      h("p", {}, h("strong", {}, consent.audience), ` — ${consent.status}`),
      h("p", { class: "muted" }, `Sections: ${consent.scopes.join(", ")} · purpose: ${consent.purpose}`),
      h("p", { class: "muted" }, `Granted ${when(consent.granted_at)}${consent.revoked_at ? ` · revoked ${when(consent.revoked_at)}` : ""} · receipt ${consent.receipt_id}`),
      h(
        "div",
        { class: "actions" },
        button("Show receipt", () => withMessage(line, "Loading…", async () => {
          const full = await getJson(`/v1/consents/${enc(consent.id)}`);
          const claims = receiptClaims(full.receipt);
          clear(receiptBox).append(h("pre", { class: "receipt", tabindex: "0", "aria-label": "Consent receipt" }, JSON.stringify(claims ? claims.receipt || claims : full.receipt, null, 2)));
          return "";
        }), { "aria-label": `Show receipt of ${consent.audience}` }),
        consent.status === "active"
          ? button("Revoke", () => withMessage(line, "Revoking…", async () => {
              await call("DELETE", `/v1/consents/${enc(consent.id)}`);
              await refreshAll();
              return "Revoked.";
            }), { class: "button-danger", "aria-label": `Revoke consent for ${consent.audience}` })
          : null,
      ),
      receiptBox,
      line,
    );
    list.append(item);
  }
  container.append(list);
}

// What a bundle for `audience` would carry, from the person's own data and the preferences that
// apply to that audience (contacts and outcomes can be withheld by preference).
async function preview(person, audience, scopes) {
  const base = `/v1/people/${enc(person.id)}`;
  const effective = await getJson(`${base}/preferences/effective?audience=${enc(audience)}`);
  const value = (key) => (effective.values[key] ? effective.values[key].value : null);
  const parts = [];
  for (const scope of scopes) {
    if (scope === "profile") {
      parts.push(`Profile: ${person.display_name}${person.headline ? `, “${person.headline}”` : ""}; skills ${person.skills.join(", ") || "none"}`);
    } else if (scope === "contacts") {
      if (value("share_contacts") === false) parts.push("Contacts: withheld (your preference “share my contacts” is off)");
      else {
        const contacts = await getAll(`${base}/contacts`);
        parts.push(`Contacts (${contacts.length}): ${contacts.map((c) => c.name).join(", ") || "none"}`);
      }
    } else if (scope === "mentorships" || scope === "sessions") {
      const mentorships = await getAll(`${base}/mentorships`);
      parts.push(scope === "mentorships" ? `Mentorships (${mentorships.length}) with their goals` : "Sessions of those mentorships: dates and status");
    } else if (scope === "outcomes") {
      parts.push(value("share_outcomes") === false ? "Outcomes: withheld (your preference “share my outcomes” is off)" : "Your progress on your cohort's outcomes");
    } else if (scope === "preferences") parts.push("Your sharing preferences");
  }
  return parts;
}

export async function renderConsents(body, person) {
  const current = h("div");
  const refresh = () => consentList(person, current, refresh);
  const platforms = await getAll("/v1/platforms");
  const platform = h("select", {}, platforms.map((p) => h("option", { value: p.platform_id }, `${p.name} (${p.platform_id})`)));
  const boxes = SCOPES.map((scope) => h("input", { type: "checkbox", value: scope, id: `consent-scope-${scope}`, checked: scope === "profile" }));
  const purpose = h("input", { type: "text", value: "Carry my mentoring profile to this platform", maxlength: 500 });
  const previewBox = h("div", { class: "preview", "aria-live": "polite" });
  const confirm = h("button", { type: "button", disabled: true }, "Confirm and share");
  const line = messageLine();
  const chosen = () => boxes.filter((box) => box.checked).map((box) => box.value);
  const invalidate = () => {
    confirm.disabled = true;
    clear(previewBox);
  };
  for (const input of [platform, purpose, ...boxes]) input.addEventListener("change", invalidate);
  const previewButton = button("Preview what will be shared", () => withMessage(line, "Preparing the preview…", async () => {
    if (!platform.value) throw new Error("No partner platform is registered yet.");
    if (!chosen().length) throw new Error("Choose at least one section.");
    const parts = await preview(person, platform.value, chosen());
    clear(previewBox).append(h("h3", {}, `${platform.value} will receive:`), h("ul", {}, parts.map((p) => h("li", {}, p))));
    confirm.disabled = false;
    confirm.focus();
    return "";
  }));
  confirm.addEventListener("click", () => withMessage(line, "Sharing…", async () => {
    const granted = await sendJson("POST", `/v1/people/${enc(person.id)}/consents`, {
      audience: platform.value,
      scopes: chosen(),
      purpose: purpose.value.trim(),
      collection_method: "web-form",
    });
    invalidate();
    await refresh();
    return `Shared with ${granted.consent.audience}. Receipt ${granted.consent.receipt_id}.`;
  }));
  const grant = h(
    "form",
    { novalidate: true, class: "grant", onsubmit: (e) => e.preventDefault() },
    h("h3", {}, "Share with a partner platform"),
    platforms.length ? field("consent-platform", "Platform", platform) : empty("No partner platform is registered on this server."),
    h("fieldset", {}, h("legend", {}, "Sections"), boxes.map((box) => h("label", { class: "inline", for: box.id }, box, ` ${box.value}`))),
    field("consent-purpose", "Purpose", purpose),
    h("div", { class: "actions" }, previewButton, confirm),
    previewBox,
    line,
  );
  clear(body).append(current, platforms.length ? grant : h("div", {}, grant));
  await refresh();
}
