"""Schema migrations are ordered, idempotent and recorded in the graph."""

from __future__ import annotations

import pytest
from neo4j.exceptions import ConstraintError

from graph.db import Graph
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
