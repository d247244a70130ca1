"""app/routers/calendar.py: the private iCalendar subscription of a person's sessions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from auth.secrets import feed_token_hash
from graph import sessions
from graph.db import Graph
from graph.mentorships import MentorshipStatus
from tests import builders
from tests.conftest import TokenFactory
from tests.http import created, ok, problem


def _feed_path(url: str) -> str:
    return url[url.index("/v1/") :]


async def _with_sessions(graph: Graph) -> tuple[dict[str, str], dict[str, str]]:
    mentor, mentee, cohort = await builders.pair(graph)
    mentorship = await builders.mentorship(
        graph, mentor["id"], mentee["id"], cohort["id"], status=MentorshipStatus.ACTIVE
    )
    now = datetime.now(UTC)
    await sessions.create_session(graph, mentorship["id"], now + timedelta(days=3))
    past = await sessions.create_session(graph, mentorship["id"], now - timedelta(days=10))
    await sessions.update_session(graph, past["id"], {"status": "cancelled"})
    await sessions.create_session(graph, mentorship["id"], now - timedelta(days=800))
    return mentor, mentee


async def test_feed_lists_sessions_without_a_bearer_token(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    _mentor, mentee = await _with_sessions(graph)
    path = f"/v1/people/{mentee['id']}/calendar-feed"
    headers = tokens.headers(mentee["id"], "mentee")
    assert ok(client.get(path, headers=headers)) == {"active": False, "created_at": None}
    made = created(client.post(path, headers=headers))
    assert made["url"].startswith("http")
    assert ok(client.get(path, headers=headers))["active"] is True

    response = client.get(_feed_path(made["url"]))  # no Authorization header
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2  # the session of 800 days ago is past the feed's year
    assert [str(e["STATUS"]) for e in events] == ["CANCELLED", "CONFIRMED"]
    assert all(str(e["SUMMARY"]) == "Mentoring session with Mentor" for e in events)
    assert events[1].decoded("DTSTART") > datetime.now(UTC)
    assert (events[1].decoded("DTEND") - events[1].decoded("DTSTART")) == timedelta(hours=1)
    assert "Goal: grow" in str(events[0]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == 2


async def test_only_a_hash_is_stored_and_rotation_and_revocation_stop_old_urls(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    _mentor, mentee = await _with_sessions(graph)
    path = f"/v1/people/{mentee['id']}/calendar-feed"
    headers = tokens.headers(mentee["id"], "mentee")
    first = created(client.post(path, headers=headers))["url"]
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43
    stored = await graph.query("MATCH (f:CalendarFeed) RETURN properties(f) AS f")
    assert [row["f"]["token_hash"] for row in stored] == [feed_token_hash(token)]
    assert token not in str(stored)

    second = created(client.post(path, headers=headers))["url"]
    assert second != first
    problem(client.get(_feed_path(first)), 404)
    assert client.get(_feed_path(second)).status_code == 200
    assert client.delete(path, headers=headers).status_code == 204
    problem(client.get(_feed_path(second)), 404)
    problem(client.delete(path, headers=headers), 404)
    assert await builders.count(graph, "CalendarFeed") == 0


@pytest.mark.parametrize(
    "token", ["rdxcal_guess", "x" * 500, "%00", "rdxcal_" + "A" * 43, "..%2F..%2Fetc"]
)
async def test_guessed_tokens_find_nothing(client: TestClient, graph: Graph, token: str) -> None:
    problem(client.get(f"/v1/calendar-feeds/{token}.ics"), 404)


async def test_nobody_else_manages_or_reads_the_feed(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor, mentee = await _with_sessions(graph)
    path = f"/v1/people/{mentee['id']}/calendar-feed"
    for headers in (tokens.headers(mentor["id"], "mentor"),):
        for method in ("GET", "POST", "DELETE"):
            problem(client.request(method, path, headers=headers), 404)
    admin = tokens.headers("admin-1", "admin", programs=["*"])
    for method in ("GET", "POST", "DELETE"):
        problem(client.request(method, path, headers=admin), 403)
    problem(client.post(path), 401)
    assert await builders.count(graph, "CalendarFeed") == 0


async def test_the_feed_token_never_reaches_the_log(
    client: TestClient, tokens: TokenFactory, graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    _mentor, mentee = await _with_sessions(graph)
    headers = tokens.headers(mentee["id"], "mentee")
    url = created(client.post(f"/v1/people/{mentee['id']}/calendar-feed", headers=headers))["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    with caplog.at_level(logging.DEBUG):
        assert client.get(_feed_path(url)).status_code == 200
        client.get(_feed_path(url) + "x")
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "/v1/calendar-feeds/{redacted}" in logged
    assert token not in logged


async def test_erasing_the_person_deletes_the_feed(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    _mentor, mentee = await _with_sessions(graph)
    headers = tokens.headers(mentee["id"], "mentee")
    url = created(client.post(f"/v1/people/{mentee['id']}/calendar-feed", headers=headers))["url"]
    assert client.delete(f"/v1/people/{mentee['id']}", headers=headers).status_code == 204
    problem(client.get(_feed_path(url)), 404)
    assert await builders.count(graph, "CalendarFeed") == 0
