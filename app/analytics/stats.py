"""Small statistics with one rule: no data gives `None`, never 0.

Percentiles interpolate linearly between the closest ranks (the "linear" method of numpy and
Neo4j's `percentileCont`): the p-th percentile of sorted values v[0..n-1] is at rank
h = p·(n-1), i.e. v[⌊h⌋] + (h-⌊h⌋)·(v[⌊h⌋+1]-v[⌊h⌋]). The median is the 50th percentile.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

DIGITS = 4
"""Figures are rounded to 4 decimal places in answers (0.85, 12.5, 0.3333)."""


def rounded(value: float | None, digits: int = DIGITS) -> float | None:
    return None if value is None else round(value, digits)


def percentile(values: Iterable[float], p: float) -> float | None:
    """The p-th percentile (0 ≤ p ≤ 1) with linear interpolation; None for no values."""
    if not 0 <= p <= 1:
        raise ValueError("p must be within 0..1")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = p * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 0.5)


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def ratio(part: float, whole: float) -> float | None:
    """part ÷ whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def share(hits: Iterable[bool]) -> float | None:
    """The share of true values; None for none."""
    items = list(hits)
    return ratio(sum(items), len(items))


def running_totals(before: int, increments: Sequence[int]) -> list[int]:
    """Totals at the end of each period: `before` plus every increment up to that period."""
    totals, total = [], before
    for increment in increments:
        total += increment
        totals.append(total)
    return totals


def open_per_period(
    started_before: int,
    ended_before: int,
    started: Sequence[int],
    ended: Sequence[int],
) -> list[int]:
    """How many things (mentorships) were open at some point of each of consecutive periods.

    Open during period i = started before its end - ended before its start, from the counts
    before the first period and the counts inside each period. Something that starts and ends in
    one period is open in it.
    """
    if len(started) != len(ended):
        raise ValueError("started and ended must cover the same periods")
    started_by_end = running_totals(started_before, started)
    ended_by_start = [ended_before, *running_totals(ended_before, ended)[:-1]]
    return [s - e for s, e in zip(started_by_end, ended_by_start, strict=True)]
