// Cohort outcome attainment: per outcome, the share of mentees at or above its target, from
// `GET /v1/cohorts/{id}/outcomes` for the chosen cohort (or each cohort of the chosen program).

import { baseOptions, palette } from "../charts.js";
import { fmt, NO_DATA } from "../format.js";
import { dataTable } from "../table.js";
import { showChart, showMessage } from "../card.js";

export function renderOutcomes(card, reports, cohortNames) {
  const several = reports.length > 1;
  const rows = reports.flatMap((report) =>
    report.outcomes.map((outcome) => ({
      ...outcome,
      cohort_id: report.cohort_id,
      cohort: cohortNames.get(report.cohort_id) || report.cohort_id,
    })),
  );
  if (!rows.length) return showMessage(card, "These cohorts define no outcomes.");
  // Lower is better where the target is below the baseline (e.g. days to a first role).
  const lowerIsBetter = (r) => typeof r.target === "number" && typeof r.baseline === "number" && r.target < r.baseline;
  const label = (r) => {
    const name = lowerIsBetter(r) ? `${r.name} (lower is better)` : r.name;
    return several ? `${r.cohort}\n${name}` : name;
  };
  const barLabel = (r) =>
    r.attainment_share === null
      ? NO_DATA
      : `${fmt.percent(r.attainment_share)} · ${fmt.count(r.at_or_above_target)} of ${fmt.count(r.mentees)} mentees`;
  const measured = rows.filter((r) => r.attainment_share !== null);
  const reached = measured.filter((r) => r.attainment_share >= 0.5).length;
  const summary = measured.length
    ? `${measured.length} of ${rows.length} outcomes have measurements; on ${reached} of them at least half ` +
      `the mentees are at or above target.`
    : `None of the ${rows.length} outcomes has a measurement yet.`;
  // Horizontal bars read top to bottom in the defined order.
  const ordered = [...rows].reverse();
  showChart(card, {
    summary,
    height: Math.max(280, 48 + ordered.length * (several ? 44 : 34)),
    option: baseOptions({
      legend: { show: false },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText", confine: true },
      grid: { left: 8, right: 150, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: {
        type: "category",
        data: ordered.map(label),
        // Whole names, wrapped over lines rather than cut ("Summer 2026 · Confide…").
        axisLabel: { width: 180, overflow: "break", lineHeight: 14 },
      },
      series: [
        {
          name: "At or above target",
          type: "bar",
          data: ordered.map((r) => ({
            value: r.attainment_share === null ? null : Math.round(r.attainment_share * 1000) / 10,
            text: barLabel(r),
          })),
          color: palette.green,
          label: { show: true, position: "right", formatter: (p) => p.data.text },
          tooltip: { valueFormatter: (v) => (v === null || v === undefined ? NO_DATA : `${v}%`) },
        },
      ],
    }),
    table: dataTable({
      caption: "Outcome attainment: mentees at or above each outcome's target",
      rows,
      columns: [
        ...(several ? [{ key: "cohort", label: "Cohort", format: fmt.text }] : []),
        { key: "key", label: "Outcome", header: true, value: (r) => r.key, render: (r) => r.name },
        { key: "metric", label: "Metric", format: fmt.text },
        {
          key: "target",
          label: "Baseline → target",
          render: (r) => `${r.baseline} → ${r.target} ${r.unit}`.trim(),
        },
        { key: "due_date", label: "Due", format: fmt.text },
        { key: "mentees", label: "Mentees", format: fmt.count },
        { key: "at_or_above_target", label: "Reaching target", format: fmt.count },
        {
          key: "direction",
          label: "Better",
          value: (r) => (lowerIsBetter(r) ? "lower" : "higher"),
          render: (r) => (lowerIsBetter(r) ? "lower" : "higher"),
        },
        { key: "attainment_share", label: "Attainment", format: fmt.percent },
      ],
    }),
  });
}
