// "My rolodex": list and search, add, edit and delete contacts; download them as contacts.vcf
// and import a .vcf exported from a phone or mail client (with the server's merge report).

import { h, clear } from "../dom.js";
import { call, download, enc, getAll, sendJson } from "./api.js";
import { button, empty, field, messageLine, withMessage } from "./ui.js";

const FIELDS = [
  ["name", "Name", "text"],
  ["email", "E-mail", "email"],
  ["organisation", "Organisation", "text"],
  ["title", "Title", "text"],
  ["relation", "Relation", "text"],
];

function contactForm(prefix, contact, submitText, onSubmit, onCancel) {
  const inputs = {};
  const line = messageLine();
  const fields = FIELDS.map(([key, label, type]) => {
    inputs[key] = h("input", { type, value: (contact && contact[key]) || "", maxlength: 200 });
    return field(`${prefix}-${key}`, label, inputs[key]);
  });
  const form = h(
    "form",
    {
      class: "contact-form",
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        const values = {};
        for (const [key] of FIELDS) {
          const value = inputs[key].value.trim();
          if (value) values[key] = value;
          else if (contact && contact[key]) values[key] = null;
        }
        withMessage(line, "Saving…", () => onSubmit(values));
      },
    },
    h("div", { class: "grid" }, fields),
    h("div", { class: "actions" }, h("button", { type: "submit" }, submitText), onCancel ? button("Cancel", onCancel, { class: "button-quiet" }) : null),
    line,
  );
  return form;
}

function reportView(report) {
  return h(
    "div",
    { class: "report", id: "import-report" },
    h("p", {}, h("strong", {}, `${report.created} created, ${report.updated} updated, ${report.skipped} skipped`)),
    h(
      "ul",
      {},
      report.cards.map((card) =>
        h("li", { dataset: { outcome: card.outcome } }, `Card ${card.index} (${card.name || "no name"}): ${card.outcome}${card.reason ? ` — ${card.reason}` : ""}`),
      ),
    ),
  );
}

export function renderContacts(body, person) {
  const base = `/v1/people/${enc(person.id)}/contacts`;
  const search = h("input", { type: "search", placeholder: "Name, e-mail, organisation…", maxlength: 100 });
  const listing = h("div", { class: "contact-list", "aria-live": "polite" });
  const status = messageLine();

  async function load() {
    const q = search.value.trim();
    const contacts = await getAll(q ? `${base}?q=${enc(q)}` : base);
    clear(listing);
    if (!contacts.length) {
      listing.append(empty(q ? "No contact matches." : "No contacts yet."));
      return;
    }
    const rows = h("ul", { class: "items" });
    for (const contact of contacts) {
      const row = h("li", { class: "item contact", dataset: { contact: contact.id } });
      const show = () => {
        const parts = [
          h("p", {}, h("strong", {}, contact.name || "(no name)"), contact.email ? ` · ${contact.email}` : ""),
          contact.organisation || contact.title
            ? h("p", { class: "muted" }, [contact.title, contact.organisation].filter(Boolean).join(", "))
            : null,
          h(
            "div",
            { class: "actions" },
            button("Edit", edit, { "aria-label": `Edit ${contact.name || "contact"}` }),
            button("Delete", remove, { class: "button-quiet", "aria-label": `Delete ${contact.name || "contact"}` }),
          ),
        ];
        clear(row).append(...parts.filter(Boolean));
      };
      const edit = () => {
        clear(row).append(
          contactForm(`edit-${contact.id}`, contact, "Save contact", async (values) => {
            await sendJson("PATCH", `${base}/${enc(contact.id)}`, values);
            await load();
            return "";
          }, show),
        );
      };
      const remove = () =>
        withMessage(status, "Deleting…", async () => {
          await call("DELETE", `${base}/${enc(contact.id)}`);
          await load();
          return `Deleted ${contact.name || "the contact"}.`;
        });
      show();
      rows.append(row);
    }
    listing.append(rows);
  }

  const searchForm = h(
    "form",
    { class: "row", role: "search", novalidate: true, onsubmit: (e) => { e.preventDefault(); withMessage(status, "Searching…", load); } },
    field("contact-search", "Search my contacts", search),
    h("button", { type: "submit" }, "Search"),
  );
  const add = contactForm("add-contact", null, "Add contact", async (values) => {
    await sendJson("POST", base, values);
    await load();
    return "Contact added.";
  });
  const file = h("input", { type: "file", accept: ".vcf,text/vcard,text/x-vcard" });
  const importLine = messageLine();
  const importResult = h("div");
  const importForm = h(
    "form",
    {
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        withMessage(importLine, "Importing…", async () => {
          const chosen = file.files && file.files[0];
          if (!chosen) throw new Error("Choose a .vcf file first.");
          const response = await call("POST", `${base}.vcf`, { body: await chosen.arrayBuffer(), contentType: "text/vcard" });
          const report = await response.json();
          clear(importResult).append(reportView(report));
          await load();
          return "Imported.";
        });
      },
    },
    field("vcf-file", "Import a .vcf file (from your phone or mail app)", file),
    h("button", { type: "submit" }, "Import contacts"),
    importLine,
    importResult,
  );
  clear(body).append(
    searchForm,
    status,
    listing,
    h("details", {}, h("summary", {}, "Add a contact"), add),
    h(
      "div",
      { class: "actions" },
      button("Download contacts.vcf", () => withMessage(status, "Preparing…", async () => {
        await download(`${base}.vcf`, "contacts.vcf", "text/vcard");
        return "contacts.vcf downloaded.";
      })),
    ),
    importForm,
  );
  return load();
}
