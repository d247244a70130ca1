"""Plain values across the driver boundary, and small helpers for transaction functions.

Neo4j temporal values become Python `datetime` (always UTC) and `date`; rows become dicts. The
helpers consume a result inside the transaction, so no live `Result` ever leaves `graph/`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, LiteralString

import neo4j.time
from neo4j import AsyncManagedTransaction

from graph.db import Graph

Row = dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


def plain(value: Any) -> Any:
    """Convert driver values (recursively) to plain Python: DateTime → aware UTC datetime."""
    if isinstance(value, neo4j.time.DateTime):
        return value.to_native().astimezone(UTC)
    if isinstance(value, neo4j.time.Date):
        return value.to_native()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


async def fetch_all(tx: AsyncManagedTransaction, cypher: LiteralString, **params: Any) -> list[Row]:
    """Run `cypher` and return every record as a plain dict."""
    result = await tx.run(cypher, params)
    return [plain(record.data()) async for record in result]


async def fetch_one(
    tx: AsyncManagedTransaction, cypher: LiteralString, **params: Any
) -> Row | None:
    """Run `cypher` and return its first record as a plain dict, or None."""
    rows = await fetch_all(tx, cypher, **params)
    return rows[0] if rows else None


async def fetch_map(
    tx: AsyncManagedTransaction, cypher: LiteralString, column: str, **params: Any
) -> Row | None:
    """Run `cypher` and return the map in `column` of its first record, or None."""
    row = await fetch_one(tx, cypher, **params)
    if row is None:
        return None
    value: Row = row[column]
    return value


async def read_map(graph: Graph, cypher: LiteralString, column: str, **params: Any) -> Row | None:
    """`fetch_map` in a read transaction of its own."""

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        return await fetch_map(tx, cypher, column, **params)

    return await graph.read(work)


async def execute(tx: AsyncManagedTransaction, cypher: LiteralString, **params: Any) -> None:
    """Run a statement for its effect only."""
    result = await tx.run(cypher, params)
    await result.consume()


LOCK = "SET {var}._lock = true REMOVE {var}._lock"
"""Take the node's write lock without leaving a trace: later statements of the same transaction
then see everything committed by writers that held the lock before us (read committed)."""


def lock(var: str) -> str:
    """The `SET … REMOVE …` clause that write-locks node variable `var` (an identifier we chose)."""
    if not var.isidentifier():
        raise ValueError(f"not a Cypher variable: {var!r}")
    return LOCK.format(var=var)
