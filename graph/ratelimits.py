"""Shared rate-limit counters: one `(:RateCounter {key})` node per limited key, a fixed window each.

Every process and instance on the same database counts into the same nodes, so a limit holds
across uvicorn workers and instances behind a load balancer. A hit is one write transaction: the
counters of the keys a request is limited on are merged, write-locked, reset when their window
has passed, and incremented in order until one is exhausted. Expired counters are swept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.values import fetch_one


@dataclass(frozen=True)
class CounterHit:
    """Count one request against `key`, which allows `allowance` in a window; a counter whose
    window has ended starts a new one of `window_seconds` at `now` (windows begin at a key's
    first request, not on a clock grid)."""

    key: str
    now: datetime
    window_seconds: float
    allowance: int


@dataclass(frozen=True)
class CounterState:
    key: str
    count: int
    window_end: datetime
    allowance: int

    @property
    def exhausted(self) -> bool:
        return self.count > self.allowance


async def count_hits(graph: Graph, hits: list[CounterHit]) -> list[CounterState]:
    """Count the hits in order, in one write transaction, stopping after the first counter that is
    exhausted: the later keys are neither counted nor created, so a refused flood of distinct
    keys (client ids behind an exhausted address limit) adds no nodes. Callers list keys in one
    fixed order (broadest first), which is also the order the counters are locked in."""

    async def work(tx: AsyncManagedTransaction) -> list[CounterState]:
        states: list[CounterState] = []
        for hit in hits:
            row = await fetch_one(
                tx,
                """
                MERGE (c:RateCounter {key: $key})
                ON CREATE SET c.count = 0, c.expires_at = $now
                SET c._lock = true REMOVE c._lock
                WITH c, c.expires_at <= $now AS fresh
                SET c.count = CASE WHEN fresh THEN 1 ELSE c.count + 1 END,
                    c.expires_at = CASE
                        WHEN fresh THEN $now + duration({milliseconds: $window_ms})
                        ELSE c.expires_at
                    END
                RETURN c.count AS count, c.expires_at AS window_end
                """,
                key=hit.key,
                now=hit.now,
                window_ms=round(hit.window_seconds * 1000),
            )
            assert row is not None
            state = CounterState(
                key=hit.key,
                count=int(row["count"]),
                window_end=row["window_end"],
                allowance=hit.allowance,
            )
            states.append(state)
            if state.exhausted:
                break
        return states

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
