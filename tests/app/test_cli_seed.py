"""`rolodex seed`: a small synthetic network, loaded by the CLI, that every API route reads.

The CLI runs its own event loop, so the tests call it from a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from graph.db import Graph
from tests.conftest import TEST_NEO4J_PASSWORD, TokenFactory
from tests.http import created, ok

runner = CliRunner()
SEED = [
    "seed",
    "--people",
    "120",
    "--avg-contacts",
    "6",
    "--programs",
    "2",
    "--weeks",
    "20",
    "--seed",
    "4",
    "--until",
    "2030-03-04",
    "--batch-size",
    "250",
]


@pytest.fixture
def neo4j_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", settings.neo4j_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", TEST_NEO4J_PASSWORD)


async def seed(*extra: str) -> dict[str, Any]:
    result = await asyncio.to_thread(runner.invoke, cli, [*SEED, *extra])
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


async def test_seed_loads_the_network_once_and_says_what_it_did(
    neo4j_env: None, graph: Graph
) -> None:
    summary = await seed()
    assert summary["by_kind"]["person"] == 120
    found = await graph.query(
        "MATCH (n) WHERE NOT n:SchemaMigration WITH count(n) AS nodes "
        "MATCH ()-[r]->() RETURN nodes, count(r) AS rels"
    )
    assert (found[0]["nodes"], found[0]["rels"]) == (
        summary["nodes_created"],
        summary["relationships_created"],
    )
    again = await seed()
    assert (again["nodes_created"], again["relationships_created"]) == (0, 0)


async def test_seed_is_refused_in_production(
    neo4j_env: None, monkeypatch: pytest.MonkeyPatch, graph: Graph
) -> None:
    monkeypatch.setenv("ROLODEX_ENVIRONMENT", "production")
    monkeypatch.setenv("NEO4J_PASSWORD", "a-production-password")
    result = await asyncio.to_thread(runner.invoke, cli, SEED)
    assert result.exit_code == 2  # every CLI error: one line, exit 2
    assert "refused in production" in result.output
    assert (await graph.query("MATCH (p:Person) RETURN count(p) AS n"))[0]["n"] == 0


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


async def test_seeded_people_and_mentorships_read_and_export_through_the_api(
    neo4j_env: None, graph: Graph, client: TestClient, tokens: TokenFactory
) -> None:
    await seed()
    row = (
        await graph.query(
            """
            MATCH (p:Person)-[:MENTEE_IN]->(x:Mentorship)-[:HAS_SESSION]->(:Session)
            WHERE EXISTS { (p)-[:KNOWS]->() }
            WITH p, x ORDER BY p.id, x.id LIMIT 1
            MATCH (mentor:Person)-[:MENTOR_IN]->(x)
            RETURN p.id AS person, x.id AS mentorship, mentor.id AS mentor,
                   COUNT { (p)-[:KNOWS]->() } + COUNT { (p)-[:HAS_CONTACT]->() } AS contacts
            """
        )
    )[0]
    me = tokens.headers(row["person"], "mentee")
    profile = ok(client.get(f"/v1/people/{row['person']}", headers=me))
    assert profile["id"] == row["person"]
    listed = ok(client.get(f"/v1/people/{row['person']}/contacts?limit=200", headers=me))
    assert len(listed["items"]) == row["contacts"]
    ok(client.get(f"/v1/people/{row['person']}/network", headers=me))

    mentorship = ok(client.get(f"/v1/mentorships/{row['mentorship']}", headers=me))
    assert (mentorship["mentor_id"], mentorship["mentee_id"]) == (row["mentor"], row["person"])
    mentor = tokens.headers(row["mentor"], "mentor")
    held = ok(client.get(f"/v1/mentorships/{row['mentorship']}/sessions", headers=mentor))
    assert held["items"]
    admin = tokens.headers("op", "admin")
    cohort = ok(client.get(f"/v1/cohorts/{mentorship['cohort_id']}", headers=admin))
    assert 3 <= len(cohort["outcomes"]) <= 5

    bundle = created(
        client.post(f"/v1/people/{row['person']}/bundles", json={"audience": "self"}, headers=me)
    )
    body = claims(bundle["bundle"])["rolodex"]
    assert body["profile"]["id"] == row["person"]
    assert len(body["contacts"]) == row["contacts"]
    assert row["mentorship"] in {m["id"] for m in body["mentorships"]}
    assert body["sessions"]
