"""app/analytics/outcomes.py: "at or above target" follows the outcome's direction."""

from __future__ import annotations

from app.analytics.outcomes import attained, attainment


def test_higher_is_better_when_the_target_is_above_the_baseline() -> None:
    assert attained(4.0, baseline=2.0, target=4.0)
    assert attained(4.5, baseline=2.0, target=4.0)
    assert not attained(3.99, baseline=2.0, target=4.0)


def test_lower_is_better_when_the_target_is_below_the_baseline() -> None:
    assert attained(6.0, baseline=10.0, target=6.0)
    assert attained(2.0, baseline=10.0, target=6.0)
    assert not attained(6.5, baseline=10.0, target=6.0)


def test_a_target_equal_to_the_baseline_is_reached_at_or_above_it() -> None:
    assert attained(3.0, baseline=3.0, target=3.0)
    assert not attained(2.9, baseline=3.0, target=3.0)


def test_attainment_row() -> None:
    row = attainment(
        {
            "outcome": {"key": "k", "baseline": 1.0, "target": 2.0},
            "mentees": 3,
            "latest": [{"value": 2.0}, {"value": 1.0}],
        }
    )
    assert (row["at_or_above_target"], row["attainment_share"], row["mentees"]) == (1, 0.3333, 3)
    empty = attainment(
        {"outcome": {"key": "k", "baseline": 1.0, "target": 2.0}, "mentees": 0, "latest": []}
    )
    assert empty["attainment_share"] is None
