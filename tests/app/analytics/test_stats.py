"""app/analytics/stats.py: percentiles, ratios and running totals; no data gives None."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.analytics.stats import (
    mean,
    median,
    open_per_period,
    percentile,
    ratio,
    rounded,
    running_totals,
    share,
)


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0.5) == 2.5  # rank 1.5 between 2 and 3
    assert percentile(values, 0.9) == pytest.approx(3.7)  # rank 2.7 between 3 and 4
    assert percentile(values, 0.0) == 1.0
    assert percentile(values, 1.0) == 4.0
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([], 0.5) is None
    with pytest.raises(ValueError, match="within"):
        percentile(values, 1.5)


def test_no_data_is_none_never_zero() -> None:
    assert median([]) is None
    assert mean([]) is None
    assert ratio(0, 0) is None
    assert share([]) is None
    assert rounded(None) is None
    assert ratio(0, 4) == 0.0
    assert median([10.0, 1.5]) == 5.75
    assert mean([2, 0, -1, 1]) == 0.5
    assert share([True, False, True, True]) == 0.75
    assert rounded(1 / 3) == 0.3333


def test_running_totals() -> None:
    assert running_totals(5, [1, 0, 2]) == [6, 6, 8]
    assert running_totals(0, []) == []


def test_open_per_period() -> None:
    # 1 open before; period 0: +1 started; period 1: +1 started and 1 ended (the one started
    # in period 1 ended inside it); period 2: nothing new.
    assert open_per_period(2, 1, [1, 1, 0], [0, 1, 0]) == [2, 3, 2]
    assert open_per_period(0, 0, [0, 0], [0, 0]) == [0, 0]
    with pytest.raises(ValueError, match="same periods"):
        open_per_period(0, 0, [1], [])


def test_ties_round_half_to_even_on_the_exact_value() -> None:
    # Binary floats would round these two ties in opposite directions (0.90625 is exact in
    # binary, 16.33125 is stored a hair below): the rule is half-even on the decimal value.
    assert rounded(0.90625) == 0.9062
    assert rounded(16.33125) == 16.3312
    assert rounded(0.90635) == 0.9064
    assert rounded(16.33135) == 16.3314
    assert rounded(-0.90625) == -0.9062
    assert rounded(2.675, 2) == 2.68  # round(2.675, 2) gives 2.67 in binary
    # Exact values (ratios, means, percentiles) round as the fractions they are.
    assert rounded(Fraction(29, 32)) == 0.9062  # 0.90625
    assert rounded(Fraction(130650, 8000)) == 16.3312  # 16.33125
    assert rounded(ratio(29, 32)) == 0.9062
    assert rounded(mean([16.33, 16.3325])) == 16.3312
    assert rounded(median([16.33, 16.3325])) == 16.3312
    assert rounded(percentile([Fraction(9, 10), Fraction(29, 32)], Fraction(1))) == 0.9062
    assert rounded(Fraction(1, 3)) == 0.3333
    assert rounded(Fraction(2, 3)) == 0.6667
    assert rounded(7) == 7.0


def test_percentile_and_mean_are_exact() -> None:
    # p90 of 0..10 hours in ms-exact fractions: rank 9 → 9 exactly, no binary residue.
    hours = [Fraction(ms, 3_600_000) for ms in (0, 3_600_000, 58_792_500, 58_792_500)]
    assert percentile(hours, 0.9) == Fraction(58_792_500, 3_600_000)
    assert mean([0.1, 0.2, 0.6]) == Fraction(3, 10)  # not 0.30000000000000004
