"""Turn the per-week aggregates of `graph.metrics` into the weekly metrics rows of the API.

Every rate, percentile, mean and median is `None` when its week has nothing to compute it from;
counts stay counts (0 is a real count). Definitions: docs/metrics.md.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from app.analytics.stats import mean, median, open_per_period, percentile, ratio, rounded
from app.analytics.weeks import WeekRange

Row = dict[str, Any]

NS_PER_HOUR = 3600 * 10**9
NS_PER_DAY = 24 * NS_PER_HOUR


def hours(nanoseconds: list[int]) -> list[Fraction]:
    return [Fraction(ns, NS_PER_HOUR) for ns in nanoseconds]


def days(nanoseconds: list[int]) -> list[Fraction]:
    return [Fraction(ns, NS_PER_DAY) for ns in nanoseconds]


def response_sla(waits: list[Fraction], target_hours: float) -> Row:
    """The SLA figures of one week from its answered requests' waits in hours."""
    return {
        "p50_hours": rounded(percentile(waits, Fraction(1, 2))),
        "p90_hours": rounded(percentile(waits, Fraction(9, 10))),
        "within_target_share": rounded(ratio(sum(h <= target_hours for h in waits), len(waits))),
        "samples": len(waits),
    }


def _week_row(week: Any, row: Row, active: int, target_hours: float, scoped: bool) -> Row:
    counted = row["completed"] + row["no_shows"] + row["late_cancellations"]
    platforms = {p for p in (*row["export_platforms"], *row["import_platforms"]) if p}
    to_abandon = days(row["ns_to_abandon"])
    return {
        "week": week.key,
        "starts_on": week.starts_on,
        "session_completion_rate": rounded(ratio(row["completed"], counted)),
        "sessions_counted": counted,
        "response_sla": response_sla(hours(row["response_ns"]), target_hours),
        "sentiment_delta": rounded(mean(row["sentiment_deltas"])),
        "dropout": {
            "rate": rounded(ratio(len(to_abandon), row["started"])),
            "median_days_to_abandon": rounded(median(to_abandon)),
            "early_abandoned": len(to_abandon),
            "started": row["started"],
        },
        "mentor_cadence": {
            "sessions_per_active_mentorship": rounded(ratio(row["completed"], active)),
            "median_days_between_sessions": rounded(median(days(row["ns_between_sessions"]))),
        },
        "matching": {
            "acceptance_rate": rounded(ratio(row["accepted"], row["accepted"] + row["declined"])),
            "retained_after_3_sessions": rounded(
                ratio(row["retained"], row["retained"] + row["ended_before_3"])
            ),
        },
        "portability": {
            "bundles_exported": row["exported"],
            "imports_accepted": row["imports_applied"],
            # A refused bundle wrote nothing about anyone, so it belongs to no program.
            "imports_rejected": None if scoped else sum(r["count"] for r in row["refusals"]),
            "rejections": None if scoped else row["refusals"],
            "partner_platforms": len(platforms),
        },
    }


def weekly_rows(
    weeks: WeekRange,
    by_week: dict[str, Row],
    before: Row,
    *,
    target_hours: float,
    scoped: bool,
) -> list[Row]:
    """One row per week of the range, in order."""
    rows = [by_week[key] for key in weeks.keys]
    active = open_per_period(
        before["started_before"],
        before["ended_before"],
        [row["started"] for row in rows],
        [row["ended"] for row in rows],
    )
    return [
        _week_row(week, row, open_, target_hours, scoped)
        for week, row, open_ in zip(weeks.weeks, rows, active, strict=True)
    ]
