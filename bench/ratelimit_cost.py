"""The cost of the shared rate limits (issue 17): one `RateLimiter.hit` is one Neo4j write
transaction, run on every token, export and import request. Timed straight against Neo4j, no
HTTP: a token request's three keys (client id, address, global) with fresh client ids, one key
hit over and over (the lock of a hot counter), and 15 concurrent callers on the global key.

    ROLODEX_BENCH_NEO4J_PORT=… python -m bench.ratelimit_cost

Prints one JSON line with percentiles in milliseconds.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from typing import Any

from app.ratelimit import RateLimit, RateLimiter, RateLimits
from bench.common import PASSWORD, URI, bench_server, emit, log, machine, percentiles
from graph.db import connect
from graph.schema import migrate

SAMPLES = int(os.environ.get("BENCH_RATELIMIT_SAMPLES", "300"))
CONCURRENCY = 15
UNLIMITED = 1_000_000_000


def _limits() -> RateLimits:
    def limit(name: str) -> RateLimit:
        return RateLimit(f"bench-{name}", UNLIMITED, UNLIMITED)

    return RateLimits(
        token_client=limit("client"),
        token_address=limit("address"),
        token_global=limit("global"),
        export=limit("export"),
        imports=limit("import"),
    )


async def _timed(call: Any, samples: int) -> list[float]:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return timings


async def _measure() -> dict[str, Any]:
    graph = await connect(URI, "neo4j", PASSWORD, "neo4j")
    await migrate(graph)
    limiter = RateLimiter(graph, _limits())
    limits = limiter.limits
    try:
        await _timed(lambda: limiter.hit((limits.export, "warm-up")), 50)

        async def token_request() -> None:
            await limiter.hit(
                (limits.token_global, "*"),
                (limits.token_address, "127.0.0.1"),
                (limits.token_client, secrets.token_hex(8)),
            )

        token = await _timed(token_request, SAMPLES)
        hot = await _timed(lambda: limiter.hit((limits.export, "hot-key")), SAMPLES)

        async def concurrent_caller() -> list[float]:
            return await _timed(lambda: limiter.hit((limits.token_global, "*")), SAMPLES // 10)

        started = time.perf_counter()
        batches = await asyncio.gather(*(concurrent_caller() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
        concurrent = [sample for batch in batches for sample in batch]
        await graph.query(
            "MATCH (c:RateCounter) WHERE c.key STARTS WITH 'bench-' DETACH DELETE c", write=True
        )
    finally:
        await graph.close()
    return {
        "token_request_three_keys": percentiles(token),
        "one_hot_key": percentiles(hot),
        "global_key_15_concurrent": {
            **percentiles(concurrent),
            "hits_per_second": round(len(concurrent) / elapsed, 1),
        },
    }


def main() -> None:
    with bench_server():
        log(f"rate-limit cost: {SAMPLES} samples per case against {URI}")
        result = asyncio.run(_measure())
    emit({"bench": "ratelimit_cost", **result, "machine": machine()})


if __name__ == "__main__":
    main()
