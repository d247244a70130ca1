"""Small statistics with two rules: no data gives `None`, never 0; and every figure is computed
exactly and rounded once, half-even, by `rounded`.

Percentiles interpolate linearly between the closest ranks (the "linear" method of numpy and
Neo4j's `percentileCont`): the p-th percentile of sorted values v[0..n-1] is at rank
h = p·(n-1), i.e. v[⌊h⌋] + (h-⌊h⌋)·(v[⌊h⌋+1]-v[⌊h⌋]). The median is the 50th percentile.

Exactness: the functions below compute with `Fraction`s. Integers are exact already; a float is
read as the decimal it prints as (`16.33125`, not the binary number a hair below it), so callers
pass counts and durations as integers or fractions (e.g. `Fraction(nanoseconds, 3600 * 10**9)`
hours) and never lose a tie to binary floating point.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

DIGITS = 4
"""Figures are rounded to 4 decimal places in answers (0.85, 12.5, 0.3333)."""

ROUNDING = ROUND_HALF_EVEN
"""Ties go to the even last digit: 0.90625 → 0.9062, 16.33135 → 16.3314 (docs/metrics.md)."""

Exact = Fraction | int
Number = Fraction | int | float

_PRECISION = 60  # digits for turning a fraction into a decimal before rounding: exact for ties


def exact(value: Number) -> Fraction:
    """`value` as an exact fraction; a float is taken as the shortest decimal that prints as it."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def rounded(value: Number | None, digits: int = DIGITS) -> float | None:
    """The one rounding rule of every figure: the exact value, rounded to `digits` decimal places
    with decimal arithmetic, ties to even; `None` stays `None`."""
    if value is None:
        return None
    fraction = exact(value)
    with localcontext() as context:
        context.prec = _PRECISION
        decimal = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        return float(decimal.quantize(Decimal(1).scaleb(-digits), rounding=ROUNDING))


def percentile(values: Iterable[Number], p: Number) -> Fraction | None:
    """The p-th percentile (0 ≤ p ≤ 1) with linear interpolation, exactly; None for no values."""
    rank_share = exact(p)
    if not 0 <= rank_share <= 1:
        raise ValueError("p must be within 0..1")
    ordered = sorted(exact(value) for value in values)
    if not ordered:
        return None
    rank = rank_share * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def median(values: Iterable[Number]) -> Fraction | None:
    return percentile(values, Fraction(1, 2))


def mean(values: Iterable[Number]) -> Fraction | None:
    items = [exact(value) for value in values]
    return sum(items, Fraction(0)) / len(items) if items else None


def ratio(part: Number, whole: Number) -> Fraction | None:
    """part ÷ whole, exactly, or None when there is nothing to divide by."""
    return exact(part) / exact(whole) if whole else None


def share(hits: Iterable[bool]) -> Fraction | None:
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
