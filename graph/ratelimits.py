"""Shared rate-limit counters: one `(:RateCounter {key})` node per limited key, a fixed window each.

Every process and instance on the same database counts into the same nodes, so a limit holds
across uvicorn workers and instances behind a load balancer. A hit is one write transaction: the
counters of all the keys a request is limited on are merged, write-locked, reset when their window
has passed, and incremented; their counts come back. Expired counters are swept in batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.values import fetch_all


@dataclass(frozen=True)
class CounterHit:
    """Count one request against `key`; a counter whose window has ended starts a new one of
    `window_seconds` at `now` (windows begin at a key's first request, not on a clock grid)."""

    key: str
    now: datetime
    window_seconds: float


@dataclass(frozen=True)
class CounterState:
    key: str
    count: int
    window_end: datetime


async def count_hits(graph: Graph, hits: list[CounterHit]) -> list[CounterState]:
    """Increment every counter in one transaction; the counts include this hit."""

    async def work(tx: AsyncManagedTransaction) -> list[CounterState]:
        rows = await fetch_all(
            tx,
            """
            UNWIND $hits AS hit
            MERGE (c:RateCounter {key: hit.key})
            ON CREATE SET c.count = 0, c.expires_at = hit.now
            SET c._lock = true REMOVE c._lock
            WITH c, hit, c.expires_at <= hit.now AS fresh
            SET c.count = CASE WHEN fresh THEN 1 ELSE c.count + 1 END,
                c.expires_at = CASE
                    WHEN fresh THEN hit.now + duration({milliseconds: hit.window_ms})
                    ELSE c.expires_at
                END
            RETURN c.key AS key, c.count AS count, c.expires_at AS window_end
            """,
            hits=[
                {"key": h.key, "now": h.now, "window_ms": round(h.window_seconds * 1000)}
                for h in sorted(hits, key=lambda h: h.key)  # one lock order: no deadlocks
            ],
        )
        return [
            CounterState(key=row["key"], count=int(row["count"]), window_end=row["window_end"])
            for row in rows
        ]

    return await graph.write(work)


async def sweep_expired(graph: Graph, now: datetime, batch: int = 1000) -> int:
    """Delete up to `batch` counters whose window has ended; return how many."""
    rows = await graph.query(
        """
        MATCH (c:RateCounter) WHERE c.expires_at < $now
        WITH c LIMIT $batch
        DETACH DELETE c
        RETURN count(*) AS swept
        """,
        {"now": now, "batch": batch},
        write=True,
    )
    return int(rows[0]["swept"]) if rows else 0
