"""A first load by `neo4j-admin database import` makes the very graph the driver's bulk path makes.

Runs the offline importer against the suite's own local Neo4j (stopped, imported, started again),
so it is skipped when the suite points at an external server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import neo4j
import pytest
from fastapi.testclient import TestClient
from neo4j import AsyncManagedTransaction

from app.cli.first_load import ADMIN_PATH, DRIVER_PATH, first_load
from app.localneo4j.server import LocalNeo4j
from app.main import create_app
from app.settings import Settings
from graph.db import Graph
from graph.schema import MIGRATIONS, applied_versions
from graph.synthetic import Network, Spec, generate
from tests.conftest import TokenFactory
from tests.http import ok


def _network() -> Network:
    return generate(
        Spec(
            people=80,
            avg_contacts=6,
            programs=2,
            weeks=12,
            seed=7,
            until=datetime(2030, 3, 4, tzinfo=UTC),
        )
    )


def _value(value: Any) -> Any:
    """A property value with its stored type: temporals by their type and ISO text (offset kept)."""
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date):
        return (type(value).__name__, value.iso_format())
    if isinstance(value, list):
        return ("list", tuple(_value(item) for item in value))
    return (type(value).__name__, value)


async def _dump(graph: Graph) -> tuple[list[Any], list[Any]]:
    """Every node (labels, properties) and relationship (type, ends, properties), typed."""

    async def work(tx: AsyncManagedTransaction) -> tuple[list[Any], list[Any]]:
        nodes = await tx.run(
            "MATCH (n) WHERE NOT n:SchemaMigration RETURN labels(n) AS labels, properties(n) AS p"
        )
        node_rows = [
            (tuple(sorted(r["labels"])), tuple(sorted((k, _value(v)) for k, v in r["p"].items())))
            async for r in nodes
        ]
        rels = await tx.run(
            "MATCH (a)-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b, properties(r) AS p"
        )
        rel_rows = [
            (r["t"], r["a"], r["b"], tuple(sorted((k, _value(v)) for k, v in r["p"].items())))
            async for r in rels
        ]
        return sorted(node_rows), sorted(rel_rows)

    return await graph.read(work)


async def _schema(graph: Graph) -> set[str]:
    rows = await graph.query("SHOW CONSTRAINTS YIELD name RETURN name")
    rows += await graph.query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")
    return {row["name"] for row in rows}


async def test_offline_import_makes_the_same_graph_as_the_driver_path(
    graph: Graph, settings: Settings, test_server: LocalNeo4j | None
) -> None:
    if test_server is None:
        pytest.skip("the offline importer needs the suite's own local Neo4j")
    network = _network()
    schema = await _schema(graph)

    by_driver = await first_load(settings, network.parts(), batch_size=100, allow_import=False)
    assert by_driver.path == DRIVER_PATH
    expected = await _dump(graph)
    await graph.query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n", write=True)

    offline = await first_load(settings, network.parts(), server=test_server)
    graph.forget_bookmarks()  # the store was rebuilt: its transaction ids start again
    assert offline.path == ADMIN_PATH, offline.reason
    assert (offline.nodes_created, offline.relationships_created) == (
        by_driver.nodes_created,
        by_driver.relationships_created,
    )
    nodes, relationships = await _dump(graph)
    assert len(nodes) == len(expected[0])
    assert len(relationships) == len(expected[1])
    assert nodes == expected[0]
    assert relationships == expected[1]
    # temporals are Neo4j temporals, not strings; constraints and indexes are built after
    person = next(props for labels, props in nodes if labels == ("Person",))
    assert dict(person)["created_at"][0] == "DateTime"
    assert await applied_versions(graph) == {m.version for m in MIGRATIONS}
    assert await _schema(graph) == schema


async def test_the_service_reads_an_offline_imported_graph(
    graph: Graph, settings: Settings, test_server: LocalNeo4j | None
) -> None:
    if test_server is None:
        pytest.skip("the offline importer needs the suite's own local Neo4j")
    network = _network()
    report = await first_load(settings, network.parts(), server=test_server)
    graph.forget_bookmarks()
    assert report.path == ADMIN_PATH, report.reason
    mentorship = network.mentorships[0]
    mentee = mentorship["mentee_id"]
    contacts = sum(1 for row in network.knows if row["from_id"] == mentee) + sum(
        1 for row in network.cards if row["owner_id"] == mentee
    )
    with TestClient(create_app(settings)) as client:
        tokens = TokenFactory(client, settings)
        me = tokens.headers(mentee, "mentee")
        assert ok(client.get(f"/v1/people/{mentee}", headers=me))["id"] == mentee
        listed = ok(client.get(f"/v1/people/{mentee}/contacts?limit=200", headers=me))
        assert len(listed["items"]) == contacts
        found = ok(client.get(f"/v1/mentorships/{mentorship['id']}", headers=me))
        assert found["mentee_id"] == mentee


async def test_a_database_with_data_is_loaded_by_the_driver_and_says_why(
    graph: Graph, settings: Settings, test_server: LocalNeo4j | None
) -> None:
    await graph.query("CREATE (:Person {id: 'already-here'})", write=True)
    report = await first_load(settings, _network().parts(), server=test_server)
    assert report.path == DRIVER_PATH
    assert report.reason == "the database is not empty"
    rows = await graph.query("MATCH (p:Person {id: 'already-here'}) RETURN count(p) AS n")
    assert rows[0]["n"] == 1
