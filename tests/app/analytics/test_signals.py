"""app/analytics/signals.py: the fast-fail rules at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.analytics.signals import no_completed_session, sla_breaches, two_no_shows

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def row(**fields: Any) -> dict[str, Any]:
    return {
        "status": "active",
        "started_at": NOW - timedelta(days=30),
        "completed": 0,
        "last_two": [],
        "latest_sentiment": [],
        "requests": [],
        **fields,
    }


def test_fourteen_days_is_the_boundary() -> None:
    assert no_completed_session(row(started_at=NOW - timedelta(days=14)), NOW) is not None
    assert (
        no_completed_session(row(started_at=NOW - timedelta(days=14) + timedelta(seconds=1)), NOW)
        is None
    )
    assert no_completed_session(row(started_at=None), NOW) is None
    assert no_completed_session(row(completed=1), NOW) is None


def test_one_no_show_is_not_a_streak() -> None:
    assert two_no_shows(row(last_two=[{"status": "no_show", "scheduled_at": NOW}])) is None


def request(
    hours: float | None, status: str = "completed", age_hours: float = 100
) -> dict[str, Any]:
    asked = NOW - timedelta(hours=age_hours)
    answered = asked + timedelta(hours=hours) if hours is not None else None
    return {"requested_at": asked, "responded_at": answered, "status": status}


def test_a_response_exactly_on_target_is_not_a_breach() -> None:
    assert sla_breaches(row(requests=[request(48), request(48)]), NOW, 48) is None
    assert sla_breaches(row(requests=[request(48.5), request(49)]), NOW, 48) is not None


def test_an_open_request_breaches_only_once_older_than_the_target() -> None:
    young = request(None, "scheduled", age_hours=47)
    old = request(None, "scheduled", age_hours=49)
    assert sla_breaches(row(requests=[request(50), young]), NOW, 48) is None
    assert sla_breaches(row(requests=[request(50), old]), NOW, 48) == (
        "2 requests breached the 48 hours response target (1 answered late and 1 still unanswered)."
    )
    assert sla_breaches(row(requests=[old, old]), NOW, 24) == (
        "2 requests breached the 24 hours response target (2 still unanswered)."
    )
