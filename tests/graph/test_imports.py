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
