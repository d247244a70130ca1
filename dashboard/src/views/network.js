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
  // Small multiples: one panel per measure (people, contacts, mentorships), each with its own
  // axes, so a large contact count never flattens the other two. Bars: new that week (left
  // axis); line: the running total (right axis).
  // Side by side on a wide card; stacked (each 200 px tall) on a phone.
  const stacked = card.clientWidth > 0 && card.clientWidth < 640;
  const PANEL_HEIGHT = 200;
  const place = (i) =>
    stacked
      ? { left: 8, right: 8, top: i * PANEL_HEIGHT + 28, height: PANEL_HEIGHT - 56 }
      : { left: `${4 + i * 32.5}%`, width: "26%", top: 36, bottom: 8 };
  const titleAt = (i) => (stacked ? { left: 8, top: i * PANEL_HEIGHT + 4 } : { left: `${4 + i * 32.5}%`, top: 0 });
  showChart(card, {
    summary,
    height: stacked ? PANEL_HEIGHT * SERIES.length : null,
    option: baseOptions({
      legend: { show: false },
      title: SERIES.map((s, i) => ({
        text: `${s.label[0].toUpperCase()}${s.label.slice(1)}: new (bars), total (line)`,
        ...titleAt(i),
        textStyle: { fontSize: 12, fontWeight: "normal", color: palette.grey },
      })),
      grid: SERIES.map((_, i) => ({ ...place(i), containLabel: true })),
      xAxis: SERIES.map((_, i) => ({
        type: "category",
        gridIndex: i,
        data: rows.map((r) => r.week),
        axisLabel: { hideOverlap: true },
      })),
      yAxis: SERIES.flatMap((_, i) => [
        { type: "value", gridIndex: i, minInterval: 1 },
        { type: "value", gridIndex: i, minInterval: 1, splitLine: { show: false } },
      ]),
      series: SERIES.flatMap((s, i) => [
        {
          name: `New ${s.label}`,
          type: "bar",
          xAxisIndex: i,
          yAxisIndex: 2 * i,
          data: rows.map((r) => r[`new_${s.key}`]),
          color: s.color,
        },
        {
          name: `All ${s.label}`,
          type: "line",
          xAxisIndex: i,
          yAxisIndex: 2 * i + 1,
          data: rows.map((r) => r[`cumulative_${s.key}`]),
          color: s.color,
          symbolSize: 5,
          lineStyle: { type: "dashed" },
        },
      ]),
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

// The histogram's buckets: exact below 10, then 10–19, 20–49, 50–99, 100–199, … (as the API's
// app/analytics/network.py bins them); `degree` is the bucket's floor.
export function bucketLabel(floor) {
  if (typeof floor !== "number") return String(floor);
  if (floor < 10) return String(floor);
  const scale = 10 ** Math.floor(Math.log10(floor));
  const step = floor / scale;
  const next = (step === 1 ? 2 : step === 2 ? 5 : 10) * scale;
  return `${floor}–${next - 1}`;
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
  const slanted = rows.length > 8;
  showChart(card, {
    summary:
      `${fmt.count(people)} people; mean degree ${fmt.number(report.mean_degree)}; ` +
      `${fmt.count(isolated)} with no contacts.${estimated}`,
    extra: stats,
    option: baseOptions({
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      legend: { show: false },
      grid: { left: 8, right: 12, top: 16, bottom: 24, containLabel: true },
      xAxis: {
        type: "category",
        name: "contacts",
        nameLocation: "middle",
        nameGap: slanted ? 46 : 28,
        data: rows.map((r) => bucketLabel(r.degree)),
        // Every wide bucket ("10–19", "20–49", …) is named; the exact ones may thin out.
        axisLabel: {
          interval: (index, label) => label.includes("–") || index % 2 === 0,
          rotate: slanted ? 35 : 0,
          hideOverlap: false,
        },
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "People", type: "bar", data: rows.map((r) => r.people), color: palette.teal }],
    }),
    table: dataTable({
      caption: "People by number of contacts (degree)",
      rows,
      columns: [
        // A bucket of large degrees may come as a label (e.g. "50+") rather than a number.
        { key: "degree", label: "Contacts", header: true, format: bucketLabel },
        { key: "people", label: "People", format: fmt.count },
      ],
    }),
  });
}
