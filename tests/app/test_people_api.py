"""app/routers/people.py: profiles, /v1/me, the admin listing, erasure, and who reaches whom."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from graph import people
from graph.db import Graph
from tests import builders
from tests.conftest import TokenFactory
from tests.http import created, hidden, ok, partner_headers, problem

ADA: dict[str, Any] = {
    "display_name": "Ada Lovelace",
    "headline": "Analyst",
    "skills": ["Python", "graphs", "python"],
    "interests": ["poetry"],
    "languages": ["en", "fr-CA"],
    "timezone": "Europe/London",
    "roles": ["mentor"],
    "capacity": 2,
    "email": "ada@example.org",
}


def test_admin_creates_a_person(client: TestClient, tokens: TokenFactory) -> None:
    response = client.post("/v1/people", json=ADA, headers=tokens.headers("op", "admin"))
    body = created(response)
    assert body["id"].startswith("per_")
    assert response.headers["location"] == f"/v1/people/{body['id']}"
    assert body["skills"] == ["Python", "graphs"]  # repeats dropped, first spelling kept
    assert body["discoverable"] is False
    assert body["created_at"].endswith("Z")
    got = ok(client.get(f"/v1/people/{body['id']}", headers=tokens.headers("op", "admin")))
    assert got == body


async def test_a_person_creates_their_own_profile_once(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    headers = tokens.headers("alice", "mentee")
    problem(client.get("/v1/me", headers=headers), 404)
    body = created(client.post("/v1/people", json=ADA | {"roles": ["mentee"]}, headers=headers))
    assert body["id"] == "alice"
    assert ok(client.get("/v1/me", headers=headers)) == body
    again = problem(client.post("/v1/people", json=ADA, headers=headers), 409)
    assert "already exists" in again["detail"]
    assert await builders.count(graph, "Person") == 1


def test_me_is_for_people(client: TestClient, tokens: TokenFactory) -> None:
    problem(client.get("/v1/me", headers=tokens.headers("op", "admin")), 403)
    problem(client.get("/v1/me"), 401)


async def test_enrolment_rules(client: TestClient, tokens: TokenFactory, graph: Graph) -> None:
    mine = await builders.cohort(graph)
    theirs = await builders.cohort(graph)
    scoped = tokens.headers("pa", "admin", programs=[mine["program_id"]])
    problem(client.post("/v1/people", json=ADA, headers=scoped), 422)
    hidden(
        client.post("/v1/people", json=ADA | {"cohort_id": theirs["id"]}, headers=scoped),
        "cohort",
        theirs["id"],
    )
    person = created(
        client.post("/v1/people", json=ADA | {"cohort_id": mine["id"]}, headers=scoped)
    )
    assert ok(client.get(f"/v1/people/{person['id']}", headers=scoped))["id"] == person["id"]
    self_enrol = tokens.headers("bob", "mentee")
    problem(
        client.post("/v1/people", json=ADA | {"cohort_id": mine["id"]}, headers=self_enrol), 403
    )
    assert await builders.count(graph, "Person") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"capacity": 51}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"roles": []}, "roles"),
        ({"roles": ["admin"]}, "roles"),
        ({"email": "not-an-email"}, "email"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 121}, "display_name"),
        ({"languages": ["english language"]}, "languages"),
        ({"skills": ["s"] * 0 + [f"s{i}" for i in range(51)]}, "skills"),
        ({"is_admin": True}, "is_admin"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    client: TestClient, tokens: TokenFactory, graph: Graph, change: dict[str, Any], field: str
) -> None:
    body = problem(
        client.post("/v1/people", json=ADA | change, headers=tokens.headers("op", "admin")), 422
    )
    assert body["type"].endswith("/validation-failed")
    assert any(field in error["loc"] for error in body["errors"]), body
    assert await builders.count(graph, "Person") == 0


def test_an_unusable_subject_cannot_become_an_id(client: TestClient, tokens: TokenFactory) -> None:
    headers = tokens.headers("auth0|123", "mentee")
    problem(client.post("/v1/people", json=ADA, headers=headers), 422)


async def test_people_reach_only_themselves(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"])
    stranger = await builders.person(graph, "Stranger")
    as_mentee = tokens.headers(mentee["id"], "mentee")
    ok(client.get(f"/v1/people/{mentee['id']}", headers=as_mentee))
    hidden(client.get(f"/v1/people/{stranger['id']}", headers=as_mentee), "person", stranger["id"])
    hidden(client.get("/v1/people/per_missing", headers=as_mentee), "person", "per_missing")
    # A mentor reaches the mentorship, not the mentee's profile.
    as_mentor = tokens.headers(mentor["id"], "mentor")
    hidden(client.get(f"/v1/people/{mentee['id']}", headers=as_mentor), "person", mentee["id"])
    hidden(
        client.patch(f"/v1/people/{mentee['id']}", json={"headline": "x"}, headers=as_mentor),
        "person",
        mentee["id"],
    )
    hidden(client.delete(f"/v1/people/{mentee['id']}", headers=as_mentor), "person", mentee["id"])
    assert (await people.get_person(graph, mentee["id"])) is not None


async def test_admins_reach_the_people_of_their_programs(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    cohort = await builders.cohort(graph)
    member = await builders.person(graph, "Member", cohort_id=cohort["id"])
    outsider = await builders.person(graph, "Outsider")
    scoped = tokens.headers("pa", "admin", programs=[cohort["program_id"]])
    ok(client.get(f"/v1/people/{member['id']}", headers=scoped))
    hidden(client.get(f"/v1/people/{outsider['id']}", headers=scoped), "person", outsider["id"])
    ok(client.get(f"/v1/people/{outsider['id']}", headers=tokens.headers("op", "admin")))


async def test_partners_and_anonymous_callers_are_refused(
    client: TestClient, settings: Settings, graph: Graph
) -> None:
    person = await builders.person(graph)
    partner = partner_headers(client, settings)
    for method, path in [
        ("GET", f"/v1/people/{person['id']}"),
        ("PATCH", f"/v1/people/{person['id']}"),
        ("DELETE", f"/v1/people/{person['id']}"),
        ("POST", "/v1/people"),
        ("GET", "/v1/people"),
        ("GET", "/v1/me"),
    ]:
        json = {"headline": "x"} if method == "PATCH" else ADA if method == "POST" else None
        problem(client.request(method, path, json=json, headers=partner), 403)
        problem(client.request(method, path, json=json), 401)


async def test_patch_changes_only_what_is_sent(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    person = await builders.person(graph, "Pat", headline="Old", timezone="Europe/Paris")
    headers = tokens.headers(person["id"], "mentee")
    path = f"/v1/people/{person['id']}"
    changed = ok(client.patch(path, json={"headline": None, "discoverable": True}, headers=headers))
    assert changed["headline"] is None
    assert changed["discoverable"] is True
    assert changed["timezone"] == "Europe/Paris"
    assert changed["display_name"] == "Pat"
    assert changed["updated_at"] > person["updated_at"].isoformat()[:19]
    problem(client.patch(path, json={"display_name": None}, headers=headers), 422)
    problem(client.patch(path, json={}, headers=headers), 422)
    problem(client.patch(path, json={"timezone": "Nowhere/Land"}, headers=headers), 422)
    problem(client.patch(path, json={"id": "other"}, headers=headers), 422)
    assert ok(client.get(path, headers=headers))["discoverable"] is True


async def test_erasure_through_the_api(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    person = await builders.person(graph, "Gone soon")
    headers = tokens.headers(person["id"], "mentee")
    path = f"/v1/people/{person['id']}"
    response = client.delete(path, headers=headers)
    assert response.status_code == 204
    hidden(client.get(path, headers=headers), "person", person["id"])
    hidden(client.delete(path, headers=headers), "person", person["id"])
    assert await builders.count(graph, "ErasedPerson") == 1


async def test_admin_list_filters_scopes_and_pages(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    cohort = await builders.cohort(graph)
    other = await builders.cohort(graph)
    ada = await builders.mentor(graph, "Ada", skills=["Python"], cohort_id=cohort["id"])
    linus = await builders.person(graph, "Linus", skills=["C"], cohort_id=cohort["id"])
    grace = await builders.mentor(graph, "Grace", skills=["python"], cohort_id=other["id"])
    op = tokens.headers("op", "admin")

    def ids(**params: Any) -> list[str]:
        page = ok(client.get("/v1/people", params=params, headers=op))
        return [row["id"] for row in page["items"]]

    assert ids() == [ada["id"], linus["id"], grace["id"]]
    assert ids(skill="PYTHON") == [ada["id"], grace["id"]]
    assert ids(role="mentee") == [linus["id"]]
    assert ids(program_id=cohort["program_id"]) == [ada["id"], linus["id"]]
    scoped = tokens.headers("pa", "admin", programs=[other["program_id"]])
    page = ok(client.get("/v1/people", headers=scoped))
    assert [row["id"] for row in page["items"]] == [grace["id"]]
    hidden(
        client.get("/v1/people", params={"program_id": cohort["program_id"]}, headers=scoped),
        "program",
        cohort["program_id"],
    )
    first = ok(client.get("/v1/people", params={"limit": 2}, headers=op))
    assert len(first["items"]) == 2
    second = ok(
        client.get("/v1/people", params={"limit": 2, "cursor": first["next_cursor"]}, headers=op)
    )
    assert [row["id"] for row in second["items"]] == [grace["id"]]
    assert second["next_cursor"] is None
    problem(client.get("/v1/people", params={"role": "admin"}, headers=op), 422)
    problem(client.get("/v1/people", headers=tokens.headers(ada["id"], "mentor")), 403)


async def test_admins_find_people_by_name_within_their_reach(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    cohort = await builders.cohort(graph)
    other = await builders.cohort(graph)
    ava = await builders.person(graph, "Ava Lindqvist", cohort_id=cohort["id"])
    avery = await builders.person(graph, "Avery Stone", cohort_id=other["id"])
    await builders.person(graph, "Linus", cohort_id=cohort["id"])

    def names(headers: dict[str, str], name: str) -> list[str]:
        page = ok(client.get("/v1/people", params={"name": name}, headers=headers))
        return [row["id"] for row in page["items"]]

    op = tokens.headers("op", "admin")
    assert names(op, "av") == [ava["id"], avery["id"]]
    assert names(op, "ava") == [ava["id"]]
    assert names(op, "STONE") == [avery["id"]]
    # An admin of one program finds only its members; the name search widens nothing.
    scoped = tokens.headers("pa", "admin", programs=[cohort["program_id"]])
    assert names(scoped, "av") == [ava["id"]]
    assert names(scoped, "Stone") == []
    problem(client.get("/v1/people", params={"name": ""}, headers=op), 422)
