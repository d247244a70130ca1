// The ego-network explorer: a person id in, their network from `GET /v1/people/{id}/network`
// out, drawn as a force-directed graph (drag to pan, wheel/pinch to zoom, click for details).
// It shows exactly the people and edges the API returned: the API already left out whoever did
// not consent to be shown. The centre person is pinned in the middle of the view.

import { api, ApiError } from "./api.js";
import { chartIn, palette } from "./charts.js";
import { byId, clear, h } from "./dom.js";
import { fmt } from "./format.js";
import { dataTable, toggledTable } from "./table.js";

const DISTANCE_NAMES = ["Centre", "1 hop", "2 hops", "3 hops"];
const DISTANCE_COLOURS = [palette.red, palette.blue, palette.teal, palette.grey];

let current = null;
let generation = 0;
let drawnWidth = 0;

// Draw `current` in the graph box, the centre person pinned in the middle of it.
function draw() {
  const graphBox = byId("explorer-graph");
  const chart = chartIn(graphBox);
  chart.resize();
  drawnWidth = graphBox.clientWidth;
  chart.setOption(graphOption(current, graphBox.clientWidth, graphBox.clientHeight), { notMerge: true });
}

// When the box changes width (a rotated phone, a resized window), lay the graph out again so the
// centre stays in the middle.
const redrawOnResize =
  typeof ResizeObserver === "function"
    ? new ResizeObserver(() => {
        const width = byId("explorer-graph").clientWidth;
        if (current && width > 0 && Math.abs(width - drawnWidth) > 24) draw();
      })
    : null;

function nodeName(node) {
  const name = node.display_name || node.id;
  // Two people with the same name are told apart by the end of their id.
  return current && duplicateNames(current).has(name) ? `${name} (…${node.id.slice(-4)})` : name;
}

function duplicateNames(network) {
  const seen = new Map();
  for (const node of network.nodes) {
    const name = node.display_name || node.id;
    seen.set(name, (seen.get(name) || 0) + 1);
  }
  return new Set([...seen].filter(([, n]) => n > 1).map(([name]) => name));
}

function neighbours(network, id) {
  const names = new Map(network.nodes.map((n) => [n.id, nodeName(n)]));
  const rows = [];
  for (const edge of network.edges) {
    if (edge.source === id) rows.push({ other: edge.target, direction: "knows", relation: edge.relation });
    else if (edge.target === id) rows.push({ other: edge.source, direction: "known by", relation: edge.relation });
  }
  return rows.map((r) => ({ ...r, name: names.get(r.other) || r.other }));
}

function showDetails(id) {
  if (!current) return;
  const node = current.nodes.find((n) => n.id === id);
  if (!node) return;
  const panel = byId("explorer-details");
  const links = neighbours(current, id);
  const children = [
    h("h4", { "data-person-id": node.id, text: nodeName(node) }),
    h(
      "dl",
      { class: "details-list" },
      h("dt", { text: "Id" }),
      h("dd", { text: node.id }),
      h("dt", { text: "Headline" }),
      h("dd", { text: fmt.text(node.headline) }),
      h("dt", { text: "Distance" }),
      h("dd", { text: DISTANCE_NAMES[node.distance] || `${node.distance} hops` }),
      h("dt", { text: "Shown to others" }),
      h("dd", { text: node.discoverable ? "yes (opted in)" : "no" }),
    ),
    h("p", { class: "card-note", text: `${links.length} connection${links.length === 1 ? "" : "s"} in this view` }),
    h(
      "ul",
      { class: "neighbours" },
      links.map((link) =>
        h("li", {}, `${link.direction} ${link.name}`, link.relation ? ` (${link.relation})` : ""),
      ),
    ),
  ];
  if (node.distance > 0) {
    children.push(h("button", { type: "button", onclick: () => explore(node.id), text: "Explore from this person" }));
  }
  clear(panel).append(...children);
  panel.hidden = false;
}

function graphOption(network, width, height) {
  const many = network.nodes.length > 80;
  return {
    animationDurationUpdate: 300,
    tooltip: { renderMode: "richText", confine: true, formatter: (p) => p.data.label_text },
    // The legend sits in its own strip below the graph, so it never covers a label.
    legend: { bottom: 0, left: "center", data: DISTANCE_NAMES.slice(0, network.depth + 1) },
    series: [
      {
        type: "graph",
        layout: "force",
        roam: true,
        top: 8,
        bottom: 36,
        draggable: true,
        scaleLimit: { min: 0.2, max: 6 },
        categories: DISTANCE_NAMES.slice(0, network.depth + 1).map((name, i) => ({
          name,
          itemStyle: { color: DISTANCE_COLOURS[i] },
        })),
        force: { repulsion: many ? 60 : 320, edgeLength: many ? [20, 60] : [90, 170], gravity: 0.08, friction: 0.2 },
        label: { show: !many, position: "right", fontSize: 11, formatter: (p) => p.data.short },
        emphasis: { focus: "adjacency", label: { show: true } },
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 6,
        lineStyle: { color: "#9aa4ae", width: 1, curveness: 0.08 },
        data: network.nodes.map((node) => {
          const name = nodeName(node);
          const centre = node.distance === 0;
          return {
            id: node.id,
            name,
            short: name.length > 22 ? `${name.slice(0, 21)}…` : name,
            label_text: `${name}\n${DISTANCE_NAMES[node.distance] || ""}`,
            category: Math.min(node.distance, 3),
            symbolSize: centre ? 30 : node.distance === 1 ? 18 : 13,
            ...(centre ? { fixed: true, x: width / 2, y: height / 2 } : {}),
          };
        }),
        links: network.edges.map((edge) => ({
          source: edge.source,
          target: edge.target,
          label_text: edge.relation ? `${edge.source} → ${edge.target}: ${edge.relation}` : `${edge.source} → ${edge.target}`,
        })),
      },
    ],
  };
}

function nodesTable(network) {
  const show = (node) =>
    h("button", { type: "button", class: "link-button", onclick: () => showDetails(node.id), text: nodeName(node) });
  return dataTable({
    caption: `People in the network of ${network.centre_id} (${network.nodes.length}), ${network.edges.length} connections`,
    rows: network.nodes,
    columns: [
      { key: "display_name", label: "Person", header: true, value: (n) => n.id, render: show },
      { key: "distance", label: "Distance", format: (d) => DISTANCE_NAMES[d] || String(d) },
      { key: "discoverable", label: "Shown to others", format: (v) => (v ? "yes" : "no") },
      { key: "headline", label: "Headline", format: fmt.text },
    ],
  });
}

const ID_PATTERN = /^(per|demo)[-_][A-Za-z0-9_-]+$/;

// A name typed in the box: find the people it names (within the admin's programs). One match is
// explored; several are offered as buttons, told apart by headline and id.
async function findByName(text, mine) {
  const status = byId("explorer-status");
  const choices = byId("explorer-choices");
  status.textContent = `Looking for people named "${text}"…`;
  let found;
  try {
    found = (await api.findPeople(text)).items;
  } catch (error) {
    if (mine !== generation) return null;
    status.textContent = `People could not be searched: ${error.message}`;
    return null;
  }
  if (mine !== generation) return null;
  if (found.length === 1) return found[0].id;
  clear(choices);
  if (!found.length) {
    status.textContent = `Nobody named "${text}" in your programs. Try part of the name, or a person id.`;
    return null;
  }
  status.textContent = `${found.length}${found.length === 20 ? "+" : ""} people match "${text}": choose one.`;
  choices.hidden = false;
  choices.append(
    ...found.map((person) =>
      h(
        "li",
        {},
        h("button", {
          type: "button",
          class: "link-button",
          "data-person-id": person.id,
          onclick: () => explore(person.id),
          text: person.display_name,
        }),
        ` ${person.headline ? `${person.headline} · ` : ""}${person.id}`,
      ),
    ),
  );
  return null;
}

export async function explore(personId, depth) {
  const input = byId("explorer-person");
  const depthSelect = byId("explorer-depth");
  let id = (personId ?? input.value).trim();
  const choices = byId("explorer-choices");
  clear(choices);
  choices.hidden = true;
  if (id && !ID_PATTERN.test(id)) {
    const mine = ++generation;
    const chosen = await findByName(id, mine);
    if (!chosen) return;
    id = chosen;
  }
  const hops = Number(depth ?? depthSelect.value);
  input.value = id;
  const status = byId("explorer-status");
  const graphBox = byId("explorer-graph");
  const section = byId("explorer");
  if (!id) {
    status.textContent = "Enter a name or a person id.";
    input.focus();
    return;
  }
  const mine = ++generation;
  section.dataset.state = "loading";
  delete graphBox.dataset.nodeCount;
  status.textContent = `Loading the network of ${id}…`;
  let network;
  try {
    network = await api.egoNetwork(id, hops);
  } catch (error) {
    if (mine !== generation) return;
    section.dataset.state = "error";
    graphBox.hidden = true;
    byId("explorer-details").hidden = true;
    clear(byId("explorer-table"));
    status.textContent =
      error instanceof ApiError && error.status === 404
        ? `No person ${id} within your programs.`
        : `The network could not be loaded: ${error.message}`;
    if (error instanceof ApiError && error.status === 401) document.dispatchEvent(new CustomEvent("rolodex:unauthorized"));
    return;
  }
  if (mine !== generation) return;
  current = network;
  graphBox.hidden = false;
  graphBox.setAttribute("role", "img");
  const centre = network.nodes.find((n) => n.distance === 0);
  const summary =
    `Network of ${centre ? nodeName(centre) : id} at depth ${network.depth}: ${network.nodes.length} people, ` +
    `${network.edges.length} connections.` +
    (network.truncated ? " The view was cut at the size cap; some people or connections are left out." : "");
  graphBox.setAttribute("aria-label", summary);
  const chart = chartIn(graphBox);
  chart.resize();
  chart.off("click");
  chart.on("click", { dataType: "node" }, (params) => showDetails(params.data.id));
  chart.off("finished");
  chart.on("finished", () => {
    // What the chart holds, read back from it: the number of nodes it draws.
    const drawn = chart.getOption().series[0].data.length;
    graphBox.dataset.nodeCount = String(drawn);
    graphBox.dataset.centre = network.centre_id;
    section.dataset.state = "ready";
  });
  draw();
  status.textContent = summary;
  clear(byId("explorer-table")).append(...toggledTable(nodesTable(network), "list of people"));
  showDetails(network.centre_id);
}

export function resetExplorer() {
  current = null;
  generation += 1;
  const graphBox = byId("explorer-graph");
  graphBox.hidden = true;
  delete graphBox.dataset.nodeCount;
  byId("explorer-details").hidden = true;
  clear(byId("explorer-details"));
  clear(byId("explorer-table"));
  byId("explorer-status").textContent = "";
  byId("explorer-person").value = "";
  clear(byId("explorer-choices")).hidden = true;
  delete byId("explorer").dataset.state;
}

export function setUpExplorer() {
  redrawOnResize?.observe(byId("explorer-graph"));
  byId("explorer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    explore();
  });
}
