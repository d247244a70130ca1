"""app/routers/sessions.py: scheduling in active mentorships, logging, listing, and reach."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from graph import sessions
from graph.db import Graph
from graph.mentorships import MentorshipStatus
from graph.values import Row
from tests import builders
from tests.conftest import TokenFactory
from tests.http import created, hidden, ok, partner_headers, problem

WHEN = "2030-05-01T11:30:00+02:00"


async def _mentorship(graph: Graph, status: MentorshipStatus = MentorshipStatus.ACTIVE) -> Row:
    mentor, mentee, cohort = await builders.pair(graph)
    return await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"], status=status)


def _as(tokens: TokenFactory, mentorship: Row, side: str) -> dict[str, str]:
    return tokens.headers(mentorship[f"{side}_id"], side)


async def test_schedule_in_an_active_mentorship(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentorship = await _mentorship(graph)
    response = client.post(
        f"/v1/mentorships/{mentorship['id']}/sessions",
        json={"scheduled_at": WHEN, "requested_at": "2030-04-28T08:00:00Z"},
        headers=_as(tokens, mentorship, "mentee"),
    )
    body = created(response)
    assert response.headers["location"] == f"/v1/sessions/{body['id']}"
    assert body["scheduled_at"] == "2030-05-01T09:30:00Z"
    assert body["requested_at"] == "2030-04-28T08:00:00Z"
    assert body["status"] == "scheduled"
    assert body["mentorship_id"] == mentorship["id"]


@pytest.mark.parametrize(
    "status", [MentorshipStatus.PROPOSED, MentorshipStatus.PAUSED, MentorshipStatus.COMPLETED]
)
async def test_only_active_mentorships_take_sessions(
    client: TestClient, tokens: TokenFactory, graph: Graph, status: MentorshipStatus
) -> None:
    mentorship = await _mentorship(graph, status)
    body = problem(
        client.post(
            f"/v1/mentorships/{mentorship['id']}/sessions",
            json={"scheduled_at": WHEN},
            headers=_as(tokens, mentorship, "mentor"),
        ),
        409,
    )
    assert "active" in body["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"scheduled_at": "2030-05-01T11:30:00"},
        {"scheduled_at": WHEN, "requested_at": "2030-04-28"},
        {"scheduled_at": "tomorrow"},
        {},
        {"scheduled_at": WHEN, "status": "completed"},
    ],
)
async def test_bad_schedules_are_422_and_write_nothing(
    client: TestClient, tokens: TokenFactory, graph: Graph, body: dict[str, Any]
) -> None:
    mentorship = await _mentorship(graph)
    response = client.post(
        f"/v1/mentorships/{mentorship['id']}/sessions",
        json=body,
        headers=_as(tokens, mentorship, "mentor"),
    )
    problem(response, 422)
    rows = await graph.query("MATCH (s:Session) RETURN count(s) AS n")
    assert rows[0]["n"] == 0


async def test_log_a_session(client: TestClient, tokens: TokenFactory, graph: Graph) -> None:
    mentorship = await _mentorship(graph)
    requested = datetime(2030, 3, 30, 8, tzinfo=UTC)
    session = await sessions.create_session(graph, mentorship["id"], builders.START, requested)
    path = f"/v1/sessions/{session['id']}"
    headers = _as(tokens, mentorship, "mentor")
    done = ok(
        client.patch(
            path,
            json={
                "status": "completed",
                "responded_at": "2030-04-01T10:00:00+01:00",
                "sentiment_pre": 2,
                "sentiment_post": 5,
                "notes": "Went well",
            },
            headers=headers,
        )
    )
    assert done["status"] == "completed"
    assert done["completed_at"] is not None
    assert done["responded_at"] == "2030-04-01T09:00:00Z"
    assert (done["sentiment_pre"], done["sentiment_post"]) == (2, 5)
    cleared = ok(client.patch(path, json={"notes": None}, headers=headers))
    assert cleared["notes"] is None
    conflict = problem(client.patch(path, json={"status": "cancelled"}, headers=headers), 409)
    assert "cannot become cancelled" in conflict["detail"]
    for bad in [
        {"sentiment_post": 6},
        {"sentiment_pre": 0},
        {"status": None},
        {"status": "rescheduled"},
        {},
        {"responded_at": "2030-04-01T10:00:00"},
        {"notes": "n" * 5001},
        {"scheduled_at": WHEN},
    ]:
        problem(client.patch(path, json=bad, headers=headers), 422)
    early = problem(
        client.patch(path, json={"responded_at": "2029-01-01T00:00:00Z"}, headers=headers), 422
    )
    assert "requested_at" in early["detail"]


async def test_cancellation_is_timestamped(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentorship = await _mentorship(graph)
    session = await sessions.create_session(graph, mentorship["id"], builders.START)
    body = ok(
        client.patch(
            f"/v1/sessions/{session['id']}",
            json={"status": "cancelled"},
            headers=_as(tokens, mentorship, "mentee"),
        )
    )
    assert body["cancelled_at"] is not None
    assert body["completed_at"] is None


async def test_sessions_are_reached_through_the_mentorship(
    client: TestClient, tokens: TokenFactory, graph: Graph, settings: Settings
) -> None:
    mentorship = await _mentorship(graph)
    session = await sessions.create_session(graph, mentorship["id"], builders.START)
    other = await _mentorship(graph)  # another pair entirely
    list_path = f"/v1/mentorships/{mentorship['id']}/sessions"
    for side in ("mentor", "mentee"):
        page = ok(client.get(list_path, headers=_as(tokens, mentorship, side)))
        assert [s["id"] for s in page["items"]] == [session["id"]]
    ok(
        client.get(
            list_path, headers=tokens.headers("pa", "admin", programs=[mentorship["program_id"]])
        )
    )
    for headers in (
        _as(tokens, other, "mentee"),
        _as(tokens, other, "mentor"),
        tokens.headers("pa", "admin", programs=[other["program_id"]]),
    ):
        hidden(client.get(list_path, headers=headers), "mentorship", mentorship["id"])
        hidden(
            client.post(list_path, json={"scheduled_at": WHEN}, headers=headers),
            "mentorship",
            mentorship["id"],
        )
        hidden(
            client.patch(f"/v1/sessions/{session['id']}", json={"notes": "x"}, headers=headers),
            "session",
            session["id"],
        )
    hidden(
        client.patch(
            "/v1/sessions/ses_missing", json={"notes": "x"}, headers=tokens.headers("op", "admin")
        ),
        "session",
        "ses_missing",
    )
    problem(client.get(list_path, headers=partner_headers(client, settings)), 403)
    problem(client.get(list_path), 401)
    assert (await sessions.session_context(graph, session["id"]) or {})["session"]["notes"] is None
