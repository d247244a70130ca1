"""Outcome attainment: is a measurement at or above the target, and what share of mentees is.

"At or above target" follows the direction the outcome was defined in: when the target is below
the baseline (lower is better, e.g. weeks to promotion) a value reaches it at or *below* the
target; otherwise (target ≥ baseline) at or above it. A mentee without a measurement has not
reached it; the share is over all the cohort's mentees (None when it has none).
"""

from __future__ import annotations

from typing import Any

from app.analytics.stats import ratio, rounded

Row = dict[str, Any]


def lower_is_better(baseline: float, target: float) -> bool:
    return target < baseline


def attained(value: float, baseline: float, target: float) -> bool:
    if lower_is_better(baseline, target):
        return value <= target
    return value >= target


def attainment(row: Row) -> Row:
    """An outcome row of `graph.outcomes.cohort_outcomes` as the API answers it."""
    outcome = row["outcome"]
    reached = sum(
        attained(latest["value"], outcome["baseline"], outcome["target"])
        for latest in row["latest"]
    )
    return {
        **outcome,
        "mentees": row["mentees"],
        "at_or_above_target": reached,
        "attainment_share": rounded(ratio(reached, row["mentees"])),
        "latest": row["latest"],
    }
