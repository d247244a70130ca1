"""app/analytics/signals.py: the fast-fail rules at their boundaries (the counting against the
response target happens in the query, see tests/graph/test_metrics.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.analytics.signals import flagged, no_completed_session, sla_breaches, two_no_shows

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def row(**fields: Any) -> dict[str, Any]:
    return {
        "mentorship_id": "mnt_1",
        "mentor_id": "per_mentor",
        "mentee_id": "per_mentee",
        "cohort_id": "coh_a",
        "program_id": "prg_a",
        "status": "active",
        "started_at": NOW - timedelta(days=30),
        "completed": 1,
        "last_two": [],
        "latest_sentiment": [],
        "answered_late": 0,
        "unanswered": 0,
        **fields,
    }


def test_fourteen_days_is_the_boundary() -> None:
    fresh = {"completed": 0}
    assert no_completed_session(row(started_at=NOW - timedelta(days=14), **fresh), NOW)
    just_before = NOW - timedelta(days=14) + timedelta(seconds=1)
    assert no_completed_session(row(started_at=just_before, **fresh), NOW) is None
    assert no_completed_session(row(started_at=None, **fresh), NOW) is None
    assert no_completed_session(row(status="paused", **fresh), NOW) is None
    assert no_completed_session(row(), NOW) is None


def test_one_no_show_is_not_a_streak() -> None:
    missed = {"status": "no_show", "scheduled_at": NOW}
    held = {"status": "completed", "scheduled_at": NOW - timedelta(days=7)}
    assert two_no_shows(row(last_two=[missed])) is None
    assert two_no_shows(row(last_two=[missed, held])) is None
    earlier = {"status": "no_show", "scheduled_at": NOW - timedelta(days=7)}
    assert two_no_shows(row(last_two=[missed, earlier])) == (
        "The last two sessions (2026-02-23 and 2026-03-02) were both no-shows."
    )


def test_two_breaches_in_any_mix() -> None:
    assert sla_breaches(row(answered_late=1), 48) is None
    assert sla_breaches(row(answered_late=1, unanswered=1), 48) == (
        "2 requests breached the 48 hours response target (1 answered late and 1 still unanswered)."
    )
    assert sla_breaches(row(unanswered=2), 24) == (
        "2 requests breached the 24 hours response target (2 still unanswered)."
    )
    assert sla_breaches(row(answered_late=3), 1) == (
        "3 requests breached the 1 hour response target (3 answered late)."
    )


def test_only_flagged_mentorships_are_listed_with_reasons_in_order() -> None:
    quiet = row()
    loud = row(
        mentorship_id="mnt_2",
        completed=0,
        latest_sentiment=[{"pre": 5, "post": 3, "scheduled_at": NOW}],
        unanswered=2,
    )
    items = flagged([quiet, loud], now=NOW, target_hours=48)
    assert [item["mentorship_id"] for item in items] == ["mnt_2"]
    assert [reason["code"] for reason in items[0]["reasons"]] == [
        "no-completed-session-14-days",
        "sentiment-drop",
        "response-sla-breached-twice",
    ]
    assert items[0]["reasons"][1]["detail"] == (
        "Sentiment fell by 2 points in the latest session (2026-03-02): 5 before, 3 after."
    )
