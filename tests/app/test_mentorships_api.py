"""app/routers/mentorships.py: proposals, who may move them, capacity and pairs under load."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from graph import contacts
from graph.db import Graph
from graph.mentorships import MentorshipStatus
from graph.values import Row
from tests import builders
from tests.conftest import TokenFactory
from tests.http import created, hidden, ok, partner_headers, problem


def _body(mentor: Row, mentee: Row, cohort: Row, **extra: Any) -> dict[str, Any]:
    return {
        "mentor_id": mentor["id"],
        "mentee_id": mentee["id"],
        "cohort_id": cohort["id"],
        "goals": ["Lead a team"],
        **extra,
    }


async def test_a_mentee_proposes_to_a_discoverable_mentor(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor = await builders.mentor(graph, discoverable=True)
    cohort = await builders.cohort(graph)
    mentee = await builders.person(graph, "Mentee", cohort_id=cohort["id"])
    response = client.post(
        "/v1/mentorships",
        json=_body(mentor, mentee, cohort),
        headers=tokens.headers(mentee["id"], "mentee"),
    )
    body = created(response)
    assert response.headers["location"] == f"/v1/mentorships/{body['id']}"
    assert body["status"] == "proposed"
    assert body["proposed_by"] == "mentee"
    assert body["proposed_at"].endswith("Z")
    assert body["goals"] == ["Lead a team"]
    assert body["program_id"] == cohort["program_id"]
    # A proposal grants nothing: the mentor joins the cohort only by accepting it.
    as_mentor = tokens.headers(mentor["id"], "mentor")
    hidden(client.get(f"/v1/cohorts/{cohort['id']}", headers=as_mentor), "cohort", cohort["id"])
    ok(client.patch(response.headers["location"], json={"status": "active"}, headers=as_mentor))
    ok(client.get(f"/v1/cohorts/{cohort['id']}", headers=as_mentor))


async def test_who_may_propose(client: TestClient, tokens: TokenFactory, graph: Graph) -> None:
    shy_mentor = await builders.mentor(graph, "Shy")
    cohort = await builders.cohort(graph)
    mentee = await builders.person(graph, "Mentee", cohort_id=cohort["id"])
    stranger = await builders.person(graph, "Stranger")
    as_mentee = tokens.headers(mentee["id"], "mentee")
    hidden(
        client.post("/v1/mentorships", json=_body(shy_mentor, mentee, cohort), headers=as_mentee),
        "person",
        shy_mentor["id"],
    )
    problem(
        client.post(
            "/v1/mentorships",
            json=_body(shy_mentor, mentee, cohort),
            headers=tokens.headers(stranger["id"], "mentee"),
        ),
        403,
    )
    # Once connected (the mentor knows the mentee), the proposal goes through.
    await contacts.add_contact(graph, shy_mentor["id"], {}, person_id=mentee["id"])
    created(
        client.post("/v1/mentorships", json=_body(shy_mentor, mentee, cohort), headers=as_mentee)
    )


async def test_admins_propose_within_their_programs(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    cohort = await builders.cohort(graph)
    elsewhere = await builders.cohort(graph)
    mentor = await builders.mentor(graph, cohort_id=cohort["id"])
    mentee = await builders.person(graph, "Mentee", cohort_id=cohort["id"])
    outsider = await builders.person(graph, "Outsider")
    scoped = tokens.headers("pa", "admin", programs=[cohort["program_id"]])
    hidden(
        client.post("/v1/mentorships", json=_body(mentor, mentee, elsewhere), headers=scoped),
        "cohort",
        elsewhere["id"],
    )
    hidden(
        client.post("/v1/mentorships", json=_body(mentor, outsider, cohort), headers=scoped),
        "person",
        outsider["id"],
    )
    body = created(
        client.post("/v1/mentorships", json=_body(mentor, mentee, cohort), headers=scoped)
    )
    assert body["proposed_by"] == "admin"


@pytest.mark.parametrize(
    "extra",
    [
        {"goals": ["x" * 201]},
        {"goals": ["g"] * 11},
        {"mentor_id": None},
        {"cohort_id": "has space"},
        {"status": "active"},
    ],
)
async def test_bad_proposals_are_422_and_write_nothing(
    client: TestClient, tokens: TokenFactory, graph: Graph, extra: dict[str, Any]
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    response = client.post(
        "/v1/mentorships",
        json=_body(mentor, mentee, cohort, **extra),
        headers=tokens.headers("op", "admin"),
    )
    problem(response, 422)
    assert await builders.count(graph, "Mentorship") == 0


async def test_roles_capacity_and_pairs(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor, mentee, cohort = await builders.pair(graph, capacity=1)
    other = await builders.person(graph, "Other", cohort_id=cohort["id"])
    op = tokens.headers("op", "admin")
    wrong = problem(
        client.post("/v1/mentorships", json=_body(mentee, mentor, cohort), headers=op), 422
    )
    assert "mentor role" in wrong["detail"]
    hidden(
        client.post(
            "/v1/mentorships", json=_body(mentor, mentee, {"id": "coh_missing"}), headers=op
        ),
        "cohort",
        "coh_missing",
    )
    created(client.post("/v1/mentorships", json=_body(mentor, mentee, cohort), headers=op))
    pair = problem(
        client.post("/v1/mentorships", json=_body(mentor, mentee, cohort), headers=op), 409
    )
    assert "already have a live mentorship" in pair["detail"]
    full = problem(
        client.post("/v1/mentorships", json=_body(mentor, other, cohort), headers=op), 409
    )
    assert "capacity" in full["detail"]
    assert await builders.count(graph, "Mentorship") == 1


async def test_parallel_http_proposals_at_a_full_mentor_yield_exactly_one(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor = await builders.mentor(graph, capacity=1, discoverable=True)
    cohort = await builders.cohort(graph)
    mentees = [
        await builders.person(graph, f"Mentee {i}", cohort_id=cohort["id"]) for i in range(10)
    ]

    def propose(mentee: Row) -> int:
        response = client.post(
            "/v1/mentorships",
            json=_body(mentor, mentee, cohort),
            headers=tokens.headers(mentee["id"], "mentee"),
        )
        status: int = response.status_code
        return status

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(propose, mentees))
    assert sorted(statuses) == [201] + [409] * 9
    assert await builders.count(graph, "Mentorship") == 1


async def test_reading_a_mentorship(
    client: TestClient, tokens: TokenFactory, graph: Graph, settings: Settings
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    row = await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"])
    other = await builders.person(graph, "Other")
    path = f"/v1/mentorships/{row['id']}"
    for headers in (
        tokens.headers(mentor["id"], "mentor"),
        tokens.headers(mentee["id"], "mentee"),
        tokens.headers("pa", "admin", programs=[cohort["program_id"]]),
    ):
        assert ok(client.get(path, headers=headers))["id"] == row["id"]
    for headers in (
        tokens.headers(other["id"], "mentee"),
        tokens.headers("pa", "admin", programs=["prg_other"]),
    ):
        hidden(client.get(path, headers=headers), "mentorship", row["id"])
        hidden(
            client.patch(path, json={"status": "declined"}, headers=headers),
            "mentorship",
            row["id"],
        )
    hidden(
        client.get("/v1/mentorships/mnt_missing", headers=tokens.headers("op", "admin")),
        "mentorship",
        "mnt_missing",
    )
    problem(client.get(path, headers=partner_headers(client, settings)), 403)
    problem(client.get(path), 401)


async def test_accepting_is_for_the_other_side(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    row = await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"])  # by mentee
    path = f"/v1/mentorships/{row['id']}"
    refused = problem(
        client.patch(
            path, json={"status": "active"}, headers=tokens.headers(mentee["id"], "mentee")
        ),
        403,
    )
    assert "mentor" in refused["detail"]
    accepted = ok(
        client.patch(
            path, json={"status": "active"}, headers=tokens.headers(mentor["id"], "mentor")
        )
    )
    assert accepted["status"] == "active"
    assert accepted["started_at"] is not None
    paused = ok(
        client.patch(
            path,
            json={"status": "paused", "reason": "exams"},
            headers=tokens.headers(mentee["id"], "mentee"),
        )
    )
    assert paused["pause_reason"] == "exams"


async def test_illegal_transitions_are_409_with_a_clear_detail(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    row = await builders.mentorship(
        graph, mentor["id"], mentee["id"], cohort["id"], status=MentorshipStatus.COMPLETED
    )
    path = f"/v1/mentorships/{row['id']}"
    headers = tokens.headers(mentor["id"], "mentor")
    body = problem(client.patch(path, json={"status": "active"}, headers=headers), 409)
    assert body["detail"] == (
        "A completed mentorship cannot become active; "
        "from completed it can become: none (it has ended)."
    )
    problem(client.patch(path, json={"status": "finished"}, headers=headers), 422)
    problem(client.patch(path, json={"reason": "no status"}, headers=headers), 422)
    problem(
        client.patch(path, json={"status": "abandoned", "reason": "r" * 501}, headers=headers), 422
    )
    proposed = await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"])
    same = problem(
        client.patch(
            f"/v1/mentorships/{proposed['id']}", json={"status": "proposed"}, headers=headers
        ),
        409,
    )
    assert "cannot become proposed" in same["detail"]


async def test_a_persons_mentorships(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor = await builders.mentor(graph, capacity=5)
    mentee = await builders.person(graph, "Mentee")
    other = await builders.person(graph, "Other")
    mine = await builders.cohort(graph)
    theirs = await builders.cohort(graph)
    a = await builders.mentorship(
        graph, mentor["id"], mentee["id"], mine["id"], status=MentorshipStatus.ACTIVE
    )
    b = await builders.mentorship(graph, mentor["id"], other["id"], theirs["id"])
    path = f"/v1/people/{mentor['id']}/mentorships"
    as_mentor = tokens.headers(mentor["id"], "mentor")
    assert [m["id"] for m in ok(client.get(path, headers=as_mentor))["items"]] == [a["id"], b["id"]]
    only = ok(client.get(path, params={"status": "active"}, headers=as_mentor))
    assert [m["id"] for m in only["items"]] == [a["id"]]
    scoped = tokens.headers("pa", "admin", programs=[mine["program_id"]])
    assert [m["id"] for m in ok(client.get(path, headers=scoped))["items"]] == [a["id"]]
    # The mentee reaches the mentorship, not the mentor's list.
    hidden(client.get(path, headers=tokens.headers(mentee["id"], "mentee")), "person", mentor["id"])
    problem(client.get(path, params={"status": "nope"}, headers=as_mentor), 422)


async def test_state_machine_messages_use_the_right_article(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    row = await builders.mentorship(
        graph, mentor["id"], mentee["id"], cohort["id"], status=MentorshipStatus.ACTIVE
    )
    headers = tokens.headers(mentor["id"], "mentor")
    body = problem(
        client.patch(f"/v1/mentorships/{row['id']}", json={"status": "proposed"}, headers=headers),
        409,
    )
    assert body["detail"].startswith("An active mentorship cannot become proposed; ")
    ok(client.patch(f"/v1/mentorships/{row['id']}", json={"status": "abandoned"}, headers=headers))
    gone = problem(
        client.patch(f"/v1/mentorships/{row['id']}", json={"status": "active"}, headers=headers),
        409,
    )
    assert gone["detail"].startswith("An abandoned mentorship cannot become active; ")


async def test_an_admin_entering_history_backdates_the_start_and_sessions_follow_it(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    """The rule: sessions are never scheduled before a mentorship started; an admin entering
    history moves the start earlier (`started_at` alone), then logs the earlier sessions."""
    mentor, mentee, cohort = await builders.pair(graph)
    admin = tokens.headers("pa", "admin", programs=[cohort["program_id"]])
    row = await builders.mentorship(
        graph, mentor["id"], mentee["id"], cohort["id"], status=MentorshipStatus.ACTIVE
    )
    path = f"/v1/mentorships/{row['id']}"
    sessions_path = f"{path}/sessions"
    early = {"scheduled_at": "2025-01-13T09:00:00Z"}
    refused = problem(client.post(sessions_path, json=early, headers=admin), 422)
    assert "backdate" in refused["detail"]
    # Only an admin of the program backdates; never into the future, never later.
    backdate = {"started_at": "2025-01-06T09:00:00Z"}
    problem(client.patch(path, json=backdate, headers=tokens.headers(mentor["id"], "mentor")), 403)
    problem(client.patch(path, json={"started_at": "2099-01-01T00:00:00Z"}, headers=admin), 422)
    problem(
        client.patch(path, json={**backdate, "status": "paused"}, headers=admin), 422
    )  # one thing at a time
    moved = ok(client.patch(path, json=backdate, headers=admin))
    assert moved["started_at"] == "2025-01-06T09:00:00Z"
    assert moved["status"] == "active"
    logged = client.post(sessions_path, json=early, headers=admin)
    assert logged.status_code == 201, logged.text
    problem(
        client.post(sessions_path, json={"scheduled_at": "2024-12-30T09:00:00Z"}, headers=admin),
        422,
    )
    later = problem(
        client.patch(path, json={"started_at": "2025-02-01T00:00:00Z"}, headers=admin), 422
    )
    assert "only move earlier" in later["detail"]


async def test_a_session_before_an_ordinary_start_is_refused(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    row = await builders.mentorship(
        graph, mentor["id"], mentee["id"], cohort["id"], status=MentorshipStatus.ACTIVE
    )
    body = problem(
        client.post(
            f"/v1/mentorships/{row['id']}/sessions",
            json={"scheduled_at": "2020-01-01T09:00:00Z"},
            headers=tokens.headers(mentee["id"], "mentee"),
        ),
        422,
    )
    assert "backdate" in body["detail"]
