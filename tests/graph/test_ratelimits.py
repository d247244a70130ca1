"""Shared rate-limit counters: counted in one transaction, reset when their window ends, swept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from graph.db import Graph
from graph.ratelimits import CounterHit, count_hits, sweep_expired


async def test_hits_count_up_within_a_window_and_restart_after_it(graph: Graph) -> None:
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    async def hit(at: datetime) -> int:
        (state,) = await count_hits(graph, [CounterHit("k", at, 10.0, 100)])
        return state.count

    assert [await hit(start + timedelta(seconds=s)) for s in (0, 1, 9)] == [1, 2, 3]
    assert await hit(start + timedelta(seconds=10)) == 1  # the window opened at the first hit
    assert await hit(start + timedelta(seconds=11)) == 2


async def test_concurrent_hits_are_all_counted(graph: Graph) -> None:
    now = datetime.now(UTC)
    await asyncio.gather(
        *(
            count_hits(
                graph, [CounterHit("shared", now, 60.0, 100), CounterHit(f"own{n}", now, 60.0, 1)]
            )
            for n in range(20)
        )
    )
    rows = await graph.query("MATCH (c:RateCounter {key: 'shared'}) RETURN c.count AS n")
    assert rows == [{"n": 20}]


async def test_keys_after_an_exhausted_one_are_not_counted_or_created(graph: Graph) -> None:
    now = datetime.now(UTC)
    address = CounterHit("address", now, 60.0, 2)
    states = [
        await count_hits(graph, [address, CounterHit(f"client{n}", now, 60.0, 5)]) for n in range(4)
    ]
    assert [len(batch) for batch in states] == [2, 2, 1, 1]
    assert [batch[0].exhausted for batch in states] == [False, False, True, True]
    rows = await graph.query("MATCH (c:RateCounter) RETURN count(c) AS n")
    assert rows == [{"n": 3}]  # the address and the first two clients only


async def test_expired_counters_are_swept(graph: Graph) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await count_hits(graph, [CounterHit("old", long_ago, 1.0, 1)])
    await count_hits(graph, [CounterHit("live", datetime.now(UTC), 600.0, 1)])
    assert await sweep_expired(graph, datetime.now(UTC)) == 1
    rows = await graph.query("MATCH (c:RateCounter) RETURN c.key AS key")
    assert rows == [{"key": "live"}]
