"""graph/imports.py: the final transaction of a staged import finds each staged item by one index
seek on (staging_id, id), whatever the planner's statistics say (the staged labels are empty
between imports, so their statistics are always stale)."""

from __future__ import annotations

from typing import Any, LiteralString

import pytest

from graph.db import Graph
from graph.imports import UNSTAGE_CONTACTS, UNSTAGE_RECORDS


def _operators(plan: dict[str, Any]) -> list[tuple[str, str]]:
    found = [(plan["operatorType"], str(plan.get("args", {}).get("Details", "")))]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


async def _explain(graph: Graph, cypher: LiteralString) -> list[tuple[str, str]]:
    async with graph._driver.session(database=graph.database) as session:
        result = await session.run(f"EXPLAIN {cypher}")
        summary = await result.consume()
    assert summary.plan is not None
    return _operators(summary.plan)


@pytest.mark.parametrize(
    ("cypher", "label"),
    [(UNSTAGE_CONTACTS, "StagedContact"), (UNSTAGE_RECORDS, "StagedRecord")],
)
async def test_staged_items_are_sought_by_staging_id_and_item_id(
    graph: Graph, cypher: LiteralString, label: str
) -> None:
    # many staged rows of one import: what a 10,000-item bundle leaves before its last transaction
    await graph.query(
        f"UNWIND range(1, 500) AS n CREATE (:{label} {{staging_id: 'imp_big', id: 'x' + n}})",
        write=True,
    )
    operators = await _explain(graph, cypher)
    seeks = [details for name, details in operators if "IndexSeek" in name and label in details]
    assert seeks, operators
    assert all(f"{label}(staging_id, id)" in details for details in seeks), seeks
    # a scan of the index (then a filter) would satisfy a plain `USING INDEX` hint: N x N again
    assert not [name for name, _ in operators if "Scan" in name], operators


def test_rows_of_the_plan_carry_every_field_and_nothing_else() -> None:
    from dataclasses import asdict
    from datetime import date

    from graph.imports import CONTACT_FIELDS, ContactFields, ImportedRecord

    fields = ContactFields(
        name="Ada",
        email="a@x.test",
        organisation="X",
        title="CTO",
        relation="colleague",
        context="met",
        since=date(2020, 1, 2),
    )
    assert fields.as_row() == asdict(fields)
    assert tuple(fields.as_row()) == CONTACT_FIELDS
    record = ImportedRecord(
        id="ext_1", kind="sessions", data="{}", origin_iss="https://p", origin_id="s1", ours=True
    )
    assert record.as_row() == {k: v for k, v in asdict(record).items() if k != "ours"}


# -- merge_bundle: planned once when nothing needs staging; staged rows stored as direct ones ---


def _plan_of(n: int, bundle: str = "b1") -> Any:
    from datetime import UTC, date, datetime

    from graph.imports import ContactFields, IdentityRef, ImportActor, ImportedContact, ImportPlan

    return ImportPlan(
        import_id=f"imp_{bundle}",
        replay_key=f"https://acme.example|{bundle}",
        issuer="https://acme.example",
        platform_id="acme",
        bundle_id=bundle,
        at=datetime.now(UTC),
        scopes=("contacts",),
        schema_version=2,
        consent_id="cns_x",
        status_url="https://acme.example/v1/consents/cns_x/status",
        subject=IdentityRef(iss="https://acme.example", sub="ext-merge"),
        importer_person_id=None,
        vouched_person_id=None,
        actor=ImportActor(subject=None, role="partner"),
        new_person_id="per_merge",
        profile=None,
        contacts=tuple(
            ImportedContact(
                id=f"ctc_m{k}",
                ours=False,
                fields=ContactFields(
                    f"Contact {k}", None, "Org", None, "colleague", None, date(2024, 5, k + 1)
                ),
                origin_iss="https://acme.example",
                origin_id=str(k),
            )
            for k in range(n)
        ),
    )


async def _contacts(graph: Graph) -> list[dict[str, Any]]:
    return await graph.query(
        "MATCH (:Person {id: 'per_merge'})-[:HAS_CONTACT]->(c:Contact) "
        "RETURN c.id AS id, valueType(c.since) AS since, valueType(c.imported_at) AS imported_at, "
        "valueType(c.created_at) AS created_at, c.source AS source, "
        "c.source_bundle AS bundle, c.source_issuer AS issuer ORDER BY c.id"
    )


@pytest.mark.parametrize("single_tx_items", [3, 100])
async def test_staged_and_direct_imports_store_the_same_typed_properties(
    graph: Graph, single_tx_items: int
) -> None:
    from graph.imports import merge_bundle

    report = await merge_bundle(graph, _plan_of(5), dry_run=False, single_tx_items=single_tx_items)
    assert report.created["contacts"] == 5
    rows = await _contacts(graph)
    assert len(rows) == 5
    for row in rows:
        assert row["since"] == "DATE NOT NULL"
        assert row["imported_at"] == row["created_at"] == "ZONED DATETIME NOT NULL"
        assert (row["source"], row["bundle"], row["issuer"]) == (
            "imported:acme",
            "b1",
            "https://acme.example",
        )
    staged = await graph.query("MATCH (s:StagedContact|StagedRecord) RETURN count(s) AS n")
    assert staged[0]["n"] == 0


async def test_an_unchanged_reimport_above_the_single_transaction_size_is_planned_once(
    graph: Graph,
) -> None:
    from graph.imports import merge_bundle

    await merge_bundle(graph, _plan_of(5), dry_run=False, single_tx_items=3)
    units: list[str] = []
    graph.observer = lambda kind, _seconds, _ok: units.append(kind)
    try:
        report = await merge_bundle(graph, _plan_of(5, "b2"), dry_run=False, single_tx_items=3)
    finally:
        graph.observer = None
    assert report.unchanged["contacts"] == 5
    assert units == ["write"]  # no read-only planning pass, no staging


async def test_a_failure_after_staging_leaves_nothing_behind(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph import imports

    async def failing(*_args: Any) -> None:
        raise RuntimeError("the final transaction failed")

    monkeypatch.setattr(imports, "_apply", failing)
    with pytest.raises(RuntimeError):
        await imports.merge_bundle(graph, _plan_of(5), dry_run=False, single_tx_items=3)
    left = await graph.query(
        "MATCH (n) WHERE n:Contact OR n:StagedContact OR n:StagedRecord OR n:Import "
        "OR n:Person RETURN count(n) AS n"
    )
    assert left[0]["n"] == 0
