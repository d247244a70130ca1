"""app/analytics/stats.py: percentiles, ratios and running totals; no data gives None."""

from __future__ import annotations

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
