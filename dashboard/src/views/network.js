// Network growth and the degree histogram, from one `GET /v1/metrics/network` answer
// (program-wide: that endpoint takes no cohort).

import { baseOptions, palette } from "../charts.js";
import { fmt } from "../format.js";
import { dataTable } from "../table.js";
import { figures, showChart, showMessage } from "../card.js";

const SERIES = [
  { key: "people", label: "people", color: palette.blue },
  { key: "contacts", label: "contacts", color: palette.teal },
  { key: "mentorships", label: "mentorships", color: palette.purple },
];

export function renderGrowth(card, report) {
  const rows = report.weeks;
  if (!rows.length) return showMessage(card, `No weeks in the range ${report.from} to ${report.to}.`);
  const last = rows[rows.length - 1];
  const added = (key) => rows.reduce((sum, r) => sum + (r[`new_${key}`] || 0), 0);
  const summary =
    `By ${last.week}: ${fmt.count(last.cumulative_people)} people, ${fmt.count(last.cumulative_contacts)} contacts, ` +
    `${fmt.count(last.cumulative_mentorships)} mentorships; ${fmt.count(added("people"))} people, ` +
    `${fmt.count(added("contacts"))} contacts and ${fmt.count(added("mentorships"))} mentorships added since ${report.from}.`;
  showChart(card, {
    summary,
    option: baseOptions({
      xAxis: { type: "category", data: rows.map((r) => r.week), axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        ...SERIES.map((s) => ({
          name: `New ${s.label}`,
          type: "bar",
          data: rows.map((r) => r[`new_${s.key}`]),
          color: s.color,
        })),
        ...SERIES.map((s) => ({
          name: `All ${s.label}`,
          type: "line",
          yAxisIndex: 1,
          data: rows.map((r) => r[`cumulative_${s.key}`]),
          color: s.color,
          symbolSize: 6,
          lineStyle: { type: "dashed" },
        })),
      ],
    }),
    table: dataTable({
      caption: "Network growth per week: new and cumulative people, contacts and mentorships",
      rows,
      columns: [
        { key: "week", label: "Week", header: true, format: fmt.text },
        ...SERIES.map((s) => ({ key: `new_${s.key}`, label: `New ${s.label}`, format: fmt.count })),
        ...SERIES.map((s) => ({ key: `cumulative_${s.key}`, label: `All ${s.label}`, format: fmt.count })),
      ],
    }),
  });
}

export function renderDegree(card, report) {
  const rows = report.degree_histogram;
  const stats = figures([
    { key: "mean_degree", label: "Mean degree", value: report.mean_degree, format: fmt.number },
    {
      key: "largest_component_share",
      label: "In the largest component",
      value: report.largest_component_share,
      format: fmt.percent,
    },
    { key: "median_two_hop_reach", label: "Median 2-hop reach", value: report.median_two_hop_reach, format: fmt.number },
  ]);
  if (!rows.length) return showMessage(card, "No people in the graph yet.");
  const people = rows.reduce((sum, r) => sum + r.people, 0);
  const isolated = rows.find((r) => r.degree === 0)?.people || 0;
  const estimated = report.estimated
    ? ` Estimated from a sample of ${fmt.count(report.sample_size)} people.`
    : "";
  showChart(card, {
    summary:
      `${fmt.count(people)} people; mean degree ${fmt.number(report.mean_degree)}; ` +
      `${fmt.count(isolated)} with no contacts.${estimated}`,
    extra: stats,
    option: baseOptions({
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      legend: { show: false },
      grid: { left: 8, right: 12, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map((r) => String(r.degree)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "People", type: "bar", data: rows.map((r) => r.people), color: palette.teal }],
    }),
    table: dataTable({
      caption: "People by number of contacts (degree)",
      rows,
      columns: [
        // A bucket of large degrees may come as a label (e.g. "50+") rather than a number.
        { key: "degree", label: "Contacts", header: true, format: (v) => (typeof v === "number" ? fmt.count(v) : fmt.text(v)) },
        { key: "people", label: "People", format: fmt.count },
      ],
    }),
  });
}
