"""Rate limits for the expensive or abusable endpoints, shared by every worker and instance.

A `RateLimit` allows `burst` requests per key in a fixed window of `60 · burst / per_minute`
seconds that opens at the key's first request (so `per_minute` on average, never more than
`burst` at once). The counts live in Neo4j
(graph/ratelimits.py), the store every instance already shares: N workers or N instances behind a
load balancer do not multiply a limit, and a flood of distinct keys costs nodes, not other callers'
buckets. `RateLimiter.hit` counts one request against several limits in one write transaction and
raises `RateLimitedError` (429, `Retry-After`) when any of them is exhausted.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from app.errors import RateLimitedError
from graph.db import Graph
from graph.ratelimits import CounterHit, count_hits, sweep_expired

SWEEP_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class RateLimit:
    """`per_minute` requests a minute on average, at most `burst` in one window."""

    name: str
    per_minute: int
    burst: int

    @property
    def window_seconds(self) -> float:
        return 60.0 * self.burst / self.per_minute

    def window(self, key: str, now: datetime) -> CounterHit:
        return CounterHit(
            key=f"{self.name}:{key}",
            now=now,
            window_seconds=self.window_seconds,
            allowance=self.burst,
        )


@dataclass(frozen=True)
class RateLimits:
    """Every limit the service applies (built from settings by app/security_setup.py)."""

    token_client: RateLimit
    token_address: RateLimit
    token_global: RateLimit
    export: RateLimit
    imports: RateLimit


class RateLimiter:
    """Counts requests in the shared store; sweeps expired counters now and then."""

    def __init__(self, graph: Graph, limits: RateLimits) -> None:
        self._graph = graph
        self.limits = limits
        self._next_sweep = time.monotonic() + SWEEP_INTERVAL_SECONDS

    async def hit(self, *checks: tuple[RateLimit, str], now: datetime | None = None) -> None:
        """Count one request against each (limit, key), in the order given (broadest first: the
        keys after an exhausted one are not counted); 429 if any limit is exhausted."""
        moment = now or datetime.now(UTC)
        states = await count_hits(self._graph, [limit.window(key, moment) for limit, key in checks])
        await self._maybe_sweep(moment)
        exhausted = [state for state in states if state.exhausted]
        if exhausted:
            retry_after = max(
                1, *(math.ceil((s.window_end - moment).total_seconds()) for s in exhausted)
            )
            raise RateLimitedError(
                f"Too many requests; retry in {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )

    async def _maybe_sweep(self, now: datetime) -> None:
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + SWEEP_INTERVAL_SECONDS
        await sweep_expired(self._graph, now)
