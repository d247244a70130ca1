"""graph/demo.py: the demo graph loads once and every API route reads it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.db import Graph
from graph.demo import DEMO_COHORT, DEMO_PEOPLE, DEMO_PROGRAM, load_demo_if_empty
from tests.conftest import TokenFactory
from tests.http import ok


async def test_demo_loads_once_and_reads_through_the_api(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    assert await load_demo_if_empty(graph) is True
    assert await load_demo_if_empty(graph) is False
    admin = tokens.headers("op", "admin")
    people = ok(client.get("/v1/people", params={"program_id": DEMO_PROGRAM}, headers=admin))
    assert {p["id"] for p in people["items"]} == {p["id"] for p in DEMO_PEOPLE}
    cohort = ok(client.get(f"/v1/cohorts/{DEMO_COHORT}", headers=admin))
    assert len(cohort["outcomes"]) == 3
    linus = tokens.headers("demo-linus", "mentee")
    contacts = ok(client.get("/v1/people/demo-linus/contacts", headers=linus))
    assert {c["kind"] for c in contacts["items"]} == {"person", "card"}
    vcf = client.get("/v1/people/demo-linus/contacts.vcf", headers=linus)
    assert vcf.text.count("BEGIN:VCARD") == 2
    mentorships = ok(client.get("/v1/people/demo-linus/mentorships", headers=linus))
    assert [m["status"] for m in mentorships["items"]] == ["active"]
    sessions = ok(client.get("/v1/mentorships/demo-mentorship-1/sessions", headers=linus))
    assert [s["status"] for s in sessions["items"]] == ["completed", "scheduled"]
    network = ok(client.get("/v1/people/demo-linus/network?depth=3", headers=linus))
    assert {n["id"] for n in network["nodes"]} == {
        "demo-linus",
        "demo-ada",
        "demo-grace",
        "demo-margaret",
        "demo-ava",
    }
    grace = tokens.headers("demo-grace", "mentor")
    accepted = ok(
        client.patch("/v1/mentorships/demo-mentorship-2", json={"status": "active"}, headers=grace)
    )
    assert accepted["status"] == "active"
