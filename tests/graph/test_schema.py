"""Schema migrations are ordered, idempotent and recorded in the graph."""

from __future__ import annotations

import asyncio

import pytest
from neo4j.exceptions import ConstraintError

from app.settings import Settings
from graph.db import Graph, connect
from graph.schema import MIGRATIONS, applied_versions, migrate


async def test_every_migration_is_recorded(graph: Graph) -> None:
    assert await applied_versions(graph) == {m.version for m in MIGRATIONS}


async def test_running_again_applies_nothing(graph: Graph) -> None:
    assert await migrate(graph) == []
    rows = await graph.query("MATCH (m:SchemaMigration) RETURN count(m) AS n")
    assert rows[0]["n"] == len(MIGRATIONS)


async def test_versions_are_unique_and_ascending() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(set(versions))


async def test_a_forgotten_record_is_reapplied_without_error(graph: Graph) -> None:
    await graph.query("MATCH (m:SchemaMigration {version: 1}) DELETE m", write=True)
    applied = await migrate(graph)
    assert [m.version for m in applied] == [1]
    assert await applied_versions(graph) == {m.version for m in MIGRATIONS}


@pytest.mark.parametrize("label", ["Person", "Mentorship", "Consent", "Platform"])
async def test_person_ids_are_unique(graph: Graph, label: str) -> None:
    await graph.query(f"CREATE (:{label} {{id: 'same'}})", write=True)
    with pytest.raises(ConstraintError):
        await graph.query(f"CREATE (:{label} {{id: 'same'}})", write=True)


async def test_contact_ids_on_knows_are_unique(graph: Graph) -> None:
    await graph.query(
        "CREATE (:Person {id: 'a'})-[:KNOWS {id: 'ctc_1'}]->(:Person {id: 'b'})", write=True
    )
    with pytest.raises(ConstraintError):
        await graph.query(
            "CREATE (:Person {id: 'c'})-[:KNOWS {id: 'ctc_1'}]->(:Person {id: 'd'})", write=True
        )


async def test_tombstone_ids_are_unique(graph: Graph) -> None:
    await graph.query("CREATE (:ErasedPerson {id: 'gone_1'})", write=True)
    with pytest.raises(ConstraintError):
        await graph.query("CREATE (:ErasedPerson {id: 'gone_1'})", write=True)


async def _wipe_schema_and_data(graph: Graph) -> None:
    """Leave the database as a fresh one: no nodes, no constraints, no indexes of ours."""
    await graph.query("MATCH (n) DETACH DELETE n", write=True)
    for row in await graph.query("SHOW CONSTRAINTS YIELD name RETURN name"):
        await graph.run_schema(f"DROP CONSTRAINT `{row['name']}` IF EXISTS")
    for row in await graph.query(
        "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name"
    ):
        await graph.run_schema(f"DROP INDEX `{row['name']}` IF EXISTS")


async def _schema_names(graph: Graph) -> set[str]:
    constraints = await graph.query("SHOW CONSTRAINTS YIELD name RETURN name")
    indexes = await graph.query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")
    return {row["name"] for row in constraints + indexes}


async def test_two_processes_migrating_an_empty_database_at_once_both_succeed(
    graph: Graph, settings: Settings
) -> None:
    """Two workers starting together must not deadlock: both succeed, the schema is built once."""
    expected = await _schema_names(graph)
    others = [
        await connect(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
        )
        for _ in range(2)
    ]
    try:
        for _ in range(3):
            await _wipe_schema_and_data(graph)
            first, second = await asyncio.gather(*(migrate(other) for other in others))
            applied = [m.version for m in first] + [m.version for m in second]
            assert sorted(applied) == sorted(m.version for m in MIGRATIONS)
            assert await _schema_names(graph) == expected
            rows = await graph.query("MATCH (m:SchemaMigration) RETURN count(m) AS n")
            assert rows[0]["n"] == len(MIGRATIONS)
            rows = await graph.query("MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n")
            assert rows[0]["n"] == 0
    finally:
        for other in others:
            await other.close()
        await migrate(graph)
