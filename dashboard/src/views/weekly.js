// The weekly program-health views, all drawn from one `GET /v1/metrics/weekly` answer:
// completion rate (against the 85% target), response SLA, sentiment delta, dropout, portability.

import { baseOptions, palette, targetLine } from "../charts.js";
import { fmt, NO_DATA } from "../format.js";
import { dataTable } from "../table.js";
import { h } from "../dom.js";
import { figures, showChart, showMessage } from "../card.js";

export const COMPLETION_TARGET = 0.85;

const weekColumn = { key: "week", label: "Week", header: true, format: fmt.text };

// A table column for `week[group][field]` (the weekly answer nests SLA, dropout, portability).
function nested(group, field, label, format, key = field) {
  return { key, label, value: (r) => r[group][field], format };
}
const startsColumn = { key: "starts_on", label: "Starts on", format: fmt.text };

function latest(rows, pick) {
  for (let i = rows.length - 1; i >= 0; i -= 1) {
    const value = pick(rows[i]);
    if (value !== null && value !== undefined) return { week: rows[i].week, value };
  }
  return null;
}

function range(report) {
  return `${report.from} to ${report.to}`;
}

function xAxis(rows) {
  return { type: "category", data: rows.map((r) => r.week), axisLabel: { hideOverlap: true } };
}

const asPercent = (value) => (value === null || value === undefined ? null : Math.round(value * 1000) / 10);

function noWeeks(card, report) {
  showMessage(card, `No weeks in the range ${range(report)}.`);
}

export function renderCompletion(card, report) {
  const rows = report.weeks;
  if (!rows.length) return noWeeks(card, report);
  const last = latest(rows, (r) => r.session_completion_rate);
  const measured = rows.filter((r) => r.session_completion_rate !== null);
  const meeting = measured.filter((r) => r.session_completion_rate >= COMPLETION_TARGET).length;
  const summary = last
    ? `Latest week with sessions, ${last.week}: ${fmt.percent(last.value)} (target 85%). ` +
      `${meeting} of ${measured.length} weeks with sessions met the target, ${range(report)}.`
    : `No sessions counted in ${range(report)}.`;
  showChart(card, {
    summary,
    option: baseOptions({
      xAxis: xAxis(rows),
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        {
          name: "Completion rate",
          type: "line",
          data: rows.map((r) => asPercent(r.session_completion_rate)),
          connectNulls: false,
          symbolSize: 7,
          color: palette.blue,
          tooltip: { valueFormatter: (v) => (v === null || v === undefined ? NO_DATA : `${v}%`) },
          markLine: targetLine(COMPLETION_TARGET * 100, "Target 85%"),
        },
      ],
    }),
    table: dataTable({
      caption: "Session completion rate per week",
      rows,
      columns: [
        weekColumn,
        startsColumn,
        { key: "session_completion_rate", label: "Completion rate", format: fmt.percent },
        { key: "sessions_counted", label: "Sessions counted", format: fmt.count },
        {
          key: "meets_target",
          label: "Meets 85% target",
          value: (r) => (r.session_completion_rate === null ? null : r.session_completion_rate >= COMPLETION_TARGET),
          format: (v) => (v === null ? NO_DATA : v ? "yes" : "no"),
        },
      ],
    }),
  });
}

export function renderSla(card, report) {
  const rows = report.weeks;
  if (!rows.length) return noWeeks(card, report);
  const target = report.sla_target_hours;
  const last = latest(rows, (r) => r.response_sla.p50_hours);
  const summary = last
    ? `Latest week with responses, ${last.week}: p50 ${fmt.hours(last.value)}, p90 ` +
      `${fmt.hours(rows.find((r) => r.week === last.week).response_sla.p90_hours)} (SLA ${target} h).`
    : `No responses timed in ${range(report)}.`;
  const hours = (v) => (v === null || v === undefined ? NO_DATA : `${v} h`);
  showChart(card, {
    summary,
    option: baseOptions({
      xAxis: xAxis(rows),
      // Always tall enough to show the SLA line, so fast answers read as fast.
      yAxis: { type: "value", min: 0, max: (extent) => Math.ceil((Math.max(extent.max, target) * 1.1) / 10) * 10, axisLabel: { formatter: "{value} h" } },
      series: [
        {
          name: "p50",
          type: "line",
          data: rows.map((r) => r.response_sla.p50_hours),
          color: palette.blue,
          symbolSize: 7,
          tooltip: { valueFormatter: hours },
          markLine: targetLine(target, `SLA ${target} h`),
        },
        {
          name: "p90",
          type: "line",
          data: rows.map((r) => r.response_sla.p90_hours),
          color: palette.orange,
          symbolSize: 7,
          lineStyle: { type: "dotted", width: 2 },
          tooltip: { valueFormatter: hours },
        },
      ],
    }),
    table: dataTable({
      caption: `Mentor response time per week (SLA ${target} hours)`,
      rows,
      columns: [
        weekColumn,
        nested("response_sla", "p50_hours", "p50", fmt.hours),
        nested("response_sla", "p90_hours", "p90", fmt.hours),
        nested("response_sla", "within_target_share", `Within ${target} h`, fmt.percent),
        nested("response_sla", "samples", "Responses", fmt.count),
      ],
    }),
  });
}

export function renderSentiment(card, report) {
  const rows = report.weeks;
  if (!rows.length) return noWeeks(card, report);
  const last = latest(rows, (r) => r.sentiment_delta);
  const summary = last
    ? `Latest week with completed sessions, ${last.week}: ${fmt.delta(last.value)} points.`
    : `No completed sessions with sentiments in ${range(report)}.`;
  showChart(card, {
    summary,
    option: baseOptions({
      xAxis: xAxis(rows),
      yAxis: { type: "value" },
      series: [
        {
          name: "Sentiment delta",
          type: "bar",
          data: rows.map((r) =>
            r.sentiment_delta === null
              ? null
              : { value: r.sentiment_delta, itemStyle: { color: r.sentiment_delta < 0 ? palette.red : palette.green } },
          ),
          tooltip: { valueFormatter: (v) => (v === null || v === undefined ? NO_DATA : fmt.delta(v)) },
        },
      ],
    }),
    table: dataTable({
      caption: "Mean sentiment change over completed sessions per week",
      rows,
      columns: [weekColumn, { key: "sentiment_delta", label: "Sentiment delta", format: fmt.delta }],
    }),
  });
}

export function renderDropout(card, report) {
  const rows = report.weeks;
  if (!rows.length) return noWeeks(card, report);
  const started = rows.reduce((sum, r) => sum + (r.dropout.started || 0), 0);
  const early = rows.reduce((sum, r) => sum + (r.dropout.early_abandoned || 0), 0);
  const summary = started
    ? `${early} of ${started} mentorships started in ${range(report)} were abandoned before a third completed session.`
    : `No mentorships started in ${range(report)}.`;
  showChart(card, {
    summary,
    option: baseOptions({
      xAxis: xAxis(rows),
      yAxis: [
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        { type: "value", min: 0, axisLabel: { formatter: "{value} d" }, splitLine: { show: false } },
      ],
      series: [
        {
          name: "Dropout rate",
          type: "bar",
          data: rows.map((r) => asPercent(r.dropout.rate)),
          color: palette.orange,
          tooltip: { valueFormatter: (v) => (v === null || v === undefined ? NO_DATA : `${v}%`) },
        },
        {
          name: "Median days to abandon",
          type: "line",
          yAxisIndex: 1,
          data: rows.map((r) => r.dropout.median_days_to_abandon),
          color: palette.purple,
          symbolSize: 7,
          tooltip: { valueFormatter: (v) => (v === null || v === undefined ? NO_DATA : `${v} d`) },
        },
      ],
    }),
    table: dataTable({
      caption: "Dropout rate and speed per week",
      rows,
      columns: [
        weekColumn,
        nested("dropout", "rate", "Dropout rate", fmt.percent, "dropout_rate"),
        nested("dropout", "early_abandoned", "Abandoned early", fmt.count),
        nested("dropout", "started", "Started", fmt.count),
        nested("dropout", "median_days_to_abandon", "Median days to abandon", fmt.days),
      ],
    }),
  });
}

// Refused imports over the range, per platform (most first) with their problem types; null when
// the weekly answer has none (filtered by program or cohort: a refused bundle is nobody's).
export function rejectionsByPlatform(rows) {
  if (rows.every((r) => r.portability.rejections === null || r.portability.rejections === undefined)) return null;
  const byPlatform = new Map();
  for (const row of rows) {
    for (const { platform_id, problem, count } of row.portability.rejections || []) {
      const entry = byPlatform.get(platform_id) || { platform_id, count: 0, problems: {} };
      entry.count += count;
      entry.problems[problem] = (entry.problems[problem] || 0) + count;
      byPlatform.set(platform_id, entry);
    }
  }
  return [...byPlatform.values()].sort((a, b) => b.count - a.count || a.platform_id.localeCompare(b.platform_id));
}

function rejectionsNote(rows, platforms) {
  const entries = rejectionsByPlatform(rows);
  const names = new Map((platforms || []).map((p) => [p.id, p.name]));
  const text =
    entries === null
      ? "Refused imports belong to no program: see them without a program or cohort filter."
      : entries.length === 0
        ? "No import was refused in these weeks."
        : "Refused imports by platform: " +
          entries
            .map((e) => {
              const problems = Object.entries(e.problems)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([problem, n]) => `${problem} ${fmt.count(n)}`)
                .join(", ");
              return `${names.get(e.platform_id) || e.platform_id} ${fmt.count(e.count)} (${problems})`;
            })
            .join("; ") +
          ".";
  const value = entries === null ? null : Object.fromEntries(entries.map((e) => [e.platform_id, e.count]));
  return h("p", { class: "card-note", "data-key": "rejections_by_platform", "data-value": JSON.stringify(value) }, text);
}

// The registered partner platforms, each name once (several clients may share a platform, and
// two platforms a display name: those show their ids), as a short list.
function platformList(platforms) {
  if (!platforms.length) return ["No partner platform is registered yet."];
  const byName = new Map();
  for (const p of platforms) byName.set(p.name, [...(byName.get(p.name) || []), p.id]);
  const names = [...byName.entries()].map(([name, ids]) => {
    const distinct = [...new Set(ids.filter(Boolean))];
    return distinct.length > 1 ? `${name} (${distinct.join(", ")})` : name;
  });
  names.sort((a, b) => a.localeCompare(b));
  return [
    `${names.length} partner platform${names.length === 1 ? "" : "s"} registered:`,
    h("ul", { class: "platform-list" }, names.map((name) => h("li", { text: name }))),
  ];
}

export function renderPortability(card, report, platforms) {
  const rows = report.weeks;
  if (!rows.length) return noWeeks(card, report);
  const total = (key) =>
    rows.every((r) => r.portability[key] === null) ? null : rows.reduce((sum, r) => sum + (r.portability[key] || 0), 0);
  const totals = {
    bundles_exported: total("bundles_exported"),
    imports_accepted: total("imports_accepted"),
    imports_rejected: total("imports_rejected"),
  };
  const summary =
    `${range(report)}: ${fmt.count(totals.bundles_exported)} bundles exported, ` +
    `${fmt.count(totals.imports_accepted)} imports accepted, ${fmt.count(totals.imports_rejected)} rejected.`;
  const registered =
    platforms === null
      ? null
      : h(
          "div",
          { class: "card-note platforms", "data-key": "registered_platforms", "data-value": String(platforms.length) },
          ...platformList(platforms),
        );
  showChart(card, {
    summary,
    extra: [
      figures([
        { key: "total_bundles_exported", label: "Exported", value: totals.bundles_exported, format: fmt.count },
        { key: "total_imports_accepted", label: "Imports accepted", value: totals.imports_accepted, format: fmt.count },
        { key: "total_imports_rejected", label: "Imports rejected", value: totals.imports_rejected, format: fmt.count },
      ]),
      rejectionsNote(rows, platforms),
      registered,
    ].filter(Boolean),
    option: baseOptions({
      xAxis: xAxis(rows),
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "Exported", type: "bar", data: rows.map((r) => r.portability.bundles_exported), color: palette.blue },
        { name: "Imports accepted", type: "bar", data: rows.map((r) => r.portability.imports_accepted), color: palette.green },
        { name: "Imports rejected", type: "bar", data: rows.map((r) => r.portability.imports_rejected), color: palette.red },
        {
          name: "Partner platforms",
          type: "line",
          data: rows.map((r) => r.portability.partner_platforms),
          color: palette.grey,
          symbolSize: 7,
        },
      ],
    }),
    table: dataTable({
      caption: "Portability adoption per week",
      rows,
      columns: [
        weekColumn,
        nested("portability", "bundles_exported", "Exported", fmt.count),
        nested("portability", "imports_accepted", "Accepted", fmt.count),
        nested("portability", "imports_rejected", "Rejected", fmt.count),
        nested("portability", "partner_platforms", "Partner platforms", fmt.count),
      ],
    }),
  });
}
