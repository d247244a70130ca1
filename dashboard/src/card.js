// A dashboard card's moving parts: a one-line summary, the chart (an image to assistive
// technology, labelled by that summary), its data table, and a message line for loading, empty
// and error states. `data-state` on the card says which is showing.

import { chartIn } from "./charts.js";
import { clear, h } from "./dom.js";
import { toggledTable } from "./table.js";

const parts = new WeakMap();

function partsOf(card) {
  let found = parts.get(card);
  if (!found) {
    found = {
      summary: h("p", { class: "card-summary" }),
      message: h("p", { class: "card-message" }),
      chart: h("div", { class: "chart", role: "img", hidden: true }),
      extra: h("div", { class: "card-extra" }),
      table: h("div", { class: "table-slot" }),
    };
    card.append(found.summary, found.message, found.chart, found.extra, found.table);
    parts.set(card, found);
  }
  return found;
}

// Remove what the card drew (on sign-out), so nothing of the last session stays on the page.
export function resetCard(card) {
  const found = parts.get(card);
  if (found) for (const element of Object.values(found)) element.remove();
  parts.delete(card);
  delete card.dataset.state;
  card.removeAttribute("aria-busy");
}

export function setLoading(card) {
  const { message } = partsOf(card);
  card.dataset.state = "loading";
  card.setAttribute("aria-busy", "true");
  if (!message.textContent) message.textContent = "Loading…";
}

// Mark the card drawn, with its summary line; returns its parts.
function ready(card, summary) {
  const p = partsOf(card);
  card.dataset.state = "ready";
  card.removeAttribute("aria-busy");
  p.summary.textContent = summary;
  p.message.textContent = "";
  return p;
}

// Show a chart (ECharts `option`) with its summary and data table; `extra` is any further content
// (figures, lists) shown between chart and table.
export function showChart(card, { summary, option, table, tableLabel = "data table", extra = null, height = null }) {
  const p = ready(card, summary);
  p.chart.hidden = false;
  // A chart whose rows grow with the data (one bar per outcome) asks for its height (CSSOM, which
  // the CSP allows; no style attribute is parsed).
  p.chart.style.height = height ? `${height}px` : "";
  p.chart.setAttribute("aria-label", summary);
  const chart = chartIn(p.chart);
  chart.setOption(option, { notMerge: true });
  chart.resize();
  clear(p.extra).append(...(extra ? [extra].flat() : []));
  clear(p.table).append(...(table ? toggledTable(table, tableLabel) : []));
}

// Show content without a chart (a list, a table that is the view itself).
export function showContent(card, { summary, content }) {
  const p = ready(card, summary);
  p.chart.hidden = true;
  clear(p.extra);
  clear(p.table).append(...[content].flat());
}

// Replace the card's content with a sentence (no data, not available, an error).
export function showMessage(card, text, state = "empty") {
  const p = partsOf(card);
  card.dataset.state = state;
  card.removeAttribute("aria-busy");
  p.summary.textContent = "";
  p.message.textContent = text;
  p.chart.hidden = true;
  clear(p.extra);
  clear(p.table);
}

// Key figures as a description list, each value carrying its raw number in `data-value`.
export function figures(items) {
  return h(
    "dl",
    { class: "figures" },
    items.map(({ key, label, value, format }) =>
      h(
        "div",
        { class: "figure" },
        h("dt", { text: label }),
        h("dd", { "data-key": key, "data-value": JSON.stringify(value ?? null), text: format(value) }),
      ),
    ),
  );
}
