"""graph/sessions.py: sessions only in active mentorships; one status change; timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graph import mentorships, sessions
from graph.db import Graph
from graph.errors import ConflictError, InvalidError, NotFoundError
from graph.mentorships import MentorshipStatus
from graph.pagination import Cursor, PageRequest
from graph.sessions import SESSION_TRANSITIONS, SessionStatus
from graph.values import Row
from tests import builders

START = datetime(2030, 5, 1, 9, 30, tzinfo=UTC)


async def _active(graph: Graph) -> Row:
    mentor, mentee, cohort = await builders.pair(graph)
    return await builders.mentorship(
        graph, mentor["id"], mentee["id"], cohort["id"], status=MentorshipStatus.ACTIVE
    )


async def test_schedule_and_read_back(graph: Graph) -> None:
    mentorship = await _active(graph)
    requested = START - timedelta(days=3)
    session = await sessions.create_session(graph, mentorship["id"], START, requested)
    assert session["status"] == "scheduled"
    assert session["scheduled_at"] == START
    assert session["requested_at"] == requested
    assert session["mentorship_id"] == mentorship["id"]
    assert session["id"].startswith("ses_")
    context = await sessions.session_context(graph, session["id"])
    assert context is not None
    assert context["session"] == session
    assert context["mentor_id"] == mentorship["mentor_id"]
    assert context["mentee_id"] == mentorship["mentee_id"]
    assert context["program_id"] == mentorship["program_id"]
    assert await sessions.session_context(graph, "ses_nobody") is None


@pytest.mark.parametrize(
    "status",
    [
        MentorshipStatus.PROPOSED,
        MentorshipStatus.PAUSED,
        MentorshipStatus.DECLINED,
        MentorshipStatus.COMPLETED,
        MentorshipStatus.ABANDONED,
    ],
)
async def test_only_active_mentorships_take_sessions(
    graph: Graph, status: MentorshipStatus
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    row = await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"], status=status)
    with pytest.raises(ConflictError, match="active"):
        await sessions.create_session(graph, row["id"], START)
    rows = await graph.query("MATCH (s:Session) RETURN count(s) AS n")
    assert rows[0]["n"] == 0


async def test_unknown_mentorship(graph: Graph) -> None:
    with pytest.raises(NotFoundError):
        await sessions.create_session(graph, "mnt_nobody", START)


async def test_completion_records_its_moment_and_sentiments(graph: Graph) -> None:
    mentorship = await _active(graph)
    session = await sessions.create_session(graph, mentorship["id"], START)
    done_at = START + timedelta(hours=1)
    done = await sessions.update_session(
        graph,
        session["id"],
        {"status": "completed", "sentiment_pre": 2, "sentiment_post": 4, "notes": "good"},
        now=done_at,
    )
    assert done["status"] == "completed"
    assert done["completed_at"] == done_at
    assert done["cancelled_at"] is None
    assert (done["sentiment_pre"], done["sentiment_post"], done["notes"]) == (2, 4, "good")
    # Setting the same status again changes nothing else; another status is refused.
    again = await sessions.update_session(graph, session["id"], {"status": "completed"})
    assert again["completed_at"] == done_at
    with pytest.raises(ConflictError, match="cannot become cancelled"):
        await sessions.update_session(graph, session["id"], {"status": "cancelled"})


async def test_cancellation_records_its_moment(graph: Graph) -> None:
    mentorship = await _active(graph)
    session = await sessions.create_session(graph, mentorship["id"], START)
    at = START - timedelta(hours=2)
    cancelled = await sessions.update_session(graph, session["id"], {"status": "cancelled"}, now=at)
    assert cancelled["cancelled_at"] == at
    assert START - cancelled["cancelled_at"] < timedelta(hours=24)


async def test_response_cannot_precede_the_request(graph: Graph) -> None:
    mentorship = await _active(graph)
    session = await sessions.create_session(
        graph, mentorship["id"], START, START - timedelta(days=1)
    )
    with pytest.raises(InvalidError, match="responded_at"):
        await sessions.update_session(
            graph, session["id"], {"responded_at": START - timedelta(days=2)}
        )
    ok = await sessions.update_session(
        graph, session["id"], {"responded_at": START - timedelta(hours=20)}
    )
    assert ok["responded_at"] == START - timedelta(hours=20)


async def test_sessions_can_still_be_logged_after_a_pause(graph: Graph) -> None:
    mentorship = await _active(graph)
    session = await sessions.create_session(graph, mentorship["id"], START)
    await mentorships.transition(graph, mentorship["id"], MentorshipStatus.PAUSED)
    done = await sessions.update_session(graph, session["id"], {"status": "no_show"})
    assert done["status"] == "no_show"


async def test_unknown_session(graph: Graph) -> None:
    with pytest.raises(NotFoundError):
        await sessions.update_session(graph, "ses_nobody", {"notes": "x"})


def test_only_scheduled_sessions_change_status() -> None:
    assert SESSION_TRANSITIONS[SessionStatus.SCHEDULED] == {
        SessionStatus.COMPLETED,
        SessionStatus.NO_SHOW,
        SessionStatus.CANCELLED,
    }
    assert all(
        not SESSION_TRANSITIONS[s] for s in SessionStatus if s is not SessionStatus.SCHEDULED
    )


async def test_list_orders_by_schedule_and_pages(graph: Graph) -> None:
    mentorship = await _active(graph)
    late = await sessions.create_session(graph, mentorship["id"], START + timedelta(days=7))
    early = await sessions.create_session(graph, mentorship["id"], START)
    first = await sessions.list_sessions(graph, mentorship["id"], PageRequest(limit=1))
    assert [s["id"] for s in first.items] == [early["id"]]
    assert first.next_cursor is not None
    second = await sessions.list_sessions(
        graph, mentorship["id"], PageRequest(limit=1, after=Cursor.decode(first.next_cursor))
    )
    assert [s["id"] for s in second.items] == [late["id"]]
    assert second.next_cursor is None
