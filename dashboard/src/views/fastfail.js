// The fast-fail list: active mentorships showing an early-warning signal, each with its reasons,
// from `GET /v1/metrics/fast-fail`. The list is the view, so it is a visible table.

import { h } from "../dom.js";
import { fmt } from "../format.js";
import { dataTable } from "../table.js";
import { showContent, showMessage } from "../card.js";

export function renderFastFail(card, report, explore, cohortNames = new Map(), personNames = new Map()) {
  const items = report.items;
  if (!items.length) return showMessage(card, "No fast-fail signals: every active mentorship looks on track.");
  const name = (id) => personNames.get(id) || id;
  // Names, not ids; each opens the explorer on that person (the id stays in the tooltip).
  const person = (id) =>
    h("button", {
      type: "button",
      class: "link-button",
      title: `Show the network of ${name(id)} (${id})`,
      "data-person-id": id,
      onclick: () => explore(id),
      text: name(id),
    });
  const table = dataTable({
    caption: "Mentorships with fast-fail signals",
    className: "data-table fast-fail",
    rows: items,
    columns: [
      {
        key: "mentorship_id",
        label: "Mentorship",
        header: true,
        render: (r) => h("span", { title: r.mentorship_id, text: `${name(r.mentor_id)} → ${name(r.mentee_id)}` }),
      },
      { key: "mentor_id", label: "Mentor", render: (r) => person(r.mentor_id) },
      { key: "mentee_id", label: "Mentee", render: (r) => person(r.mentee_id) },
      { key: "cohort_id", label: "Cohort", render: (r) => cohortNames.get(r.cohort_id) || r.cohort_id },
      {
        key: "reasons",
        label: "Reasons",
        value: (r) => r.reasons.map((reason) => reason.code),
        render: (r) =>
          h(
            "ul",
            { class: "reasons" },
            r.reasons.map((reason) =>
              h("li", { "data-code": reason.code }, h("strong", { text: reason.code }), " ", reason.detail),
            ),
          ),
      },
    ],
  });
  const count = items.length;
  showContent(card, {
    summary: `${count} mentorship${count === 1 ? "" : "s"} need${count === 1 ? "s" : ""} attention.`,
    content: h("div", { class: "table-scroll" }, table),
  });
}
