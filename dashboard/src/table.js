// Data tables: the text alternative of every chart. Each cell keeps the API's raw value in
// `data-value` (JSON, `null` for no data) next to its formatted text, and the column's key in
// `data-key`, so what a chart shows can be read, checked and copied.

import { h } from "./dom.js";

// columns: [{key, label, format, header?}] — `header: true` makes the cell a row header.
export function dataTable({ caption, columns, rows, className = "data-table" }) {
  const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", text: c.label }))));
  const body = h(
    "tbody",
    {},
    rows.map((row) =>
      h(
        "tr",
        {},
        columns.map((column) => {
          const raw = typeof column.value === "function" ? column.value(row) : row[column.key];
          const content = column.render ? column.render(row) : column.format(raw);
          const cell = h(column.header ? "th" : "td", {
            scope: column.header ? "row" : null,
            "data-key": column.key,
            "data-label": column.label,
            "data-value": JSON.stringify(raw === undefined ? null : raw),
          });
          cell.append(content instanceof Node ? content : document.createTextNode(content));
          return cell;
        }),
      ),
    ),
  );
  return h("table", { class: className }, h("caption", { text: caption }), head, body);
}

// A table that screen readers always read, shown on screen at the press of a button.
export function toggledTable(table, label = "data table") {
  const id = `table-${Math.random().toString(36).slice(2, 10)}`;
  const wrapper = h("div", { class: "table-wrap sr-only", id }, table);
  const button = h("button", {
    type: "button",
    class: "button-quiet table-toggle",
    "aria-controls": id,
    "aria-expanded": "false",
    text: `Show ${label}`,
  });
  button.addEventListener("click", () => {
    const shown = wrapper.classList.toggle("sr-only") === false;
    button.setAttribute("aria-expanded", String(shown));
    button.textContent = `${shown ? "Hide" : "Show"} ${label}`;
  });
  return [button, wrapper];
}
