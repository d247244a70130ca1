"""`/healthz` latency while `/oauth/token` is flooded (issue 17): 90 requests with random client
ids, 15 at a time, from one address, against a real `rolodex serve` (2 workers, as the
Dockerfile runs it), while a second client asks `/healthz` every 10 ms.

Two floods: with the service's default limits (the per-address limit answers most of the flood
429 after its burst), and with the address and global limits lifted, so that every request
reaches the Argon2 check — the worst case for the event loop. Before issue 17 the Argon2 check ran
on the event loop and `/healthz` took a median of 394 ms under this flood.

    ROLODEX_BENCH_NEO4J_PORT=… ROLODEX_BENCH_API_PORT=… python -m bench.token_flood

Prints one JSON line per run (`BENCH_FLOOD_RUNS=default,lifted`): baseline and flood `/healthz`
percentiles, token answers by status, and the token requests served per second.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections import Counter
from typing import Any

import httpx

from bench.api import BASE_URL, api_server
from bench.common import bench_server, emit, log, machine, percentiles

FLOOD_REQUESTS = int(os.environ.get("BENCH_FLOOD_REQUESTS", "90"))
FLOOD_CONCURRENCY = int(os.environ.get("BENCH_FLOOD_CONCURRENCY", "15"))
PROBE_INTERVAL_SECONDS = 0.01
LIFTED = {
    "ROLODEX_RATE_LIMIT_TOKEN_PER_ADDRESS_PER_MINUTE": "100000000",
    "ROLODEX_RATE_LIMIT_TOKEN_PER_ADDRESS_BURST": "100000000",
    "ROLODEX_RATE_LIMIT_TOKEN_GLOBAL_PER_MINUTE": "100000000",
    "ROLODEX_RATE_LIMIT_TOKEN_GLOBAL_BURST": "100000000",
    "ROLODEX_SECRET_CHECK_MAX_PENDING": "100000",
}


async def _probe_healthz(stop: asyncio.Event) -> list[float]:
    samples: list[float] = []
    async with httpx.AsyncClient(base_url=BASE_URL, timeout=30) as probe:
        while not stop.is_set():
            started = time.perf_counter()
            response = await probe.get("/healthz")
            response.raise_for_status()
            samples.append(time.perf_counter() - started)
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)
    return samples


async def _flood() -> tuple[Counter[int], float]:
    statuses: Counter[int] = Counter()
    gate = asyncio.Semaphore(FLOOD_CONCURRENCY)
    limits = httpx.Limits(max_connections=FLOOD_CONCURRENCY)
    async with httpx.AsyncClient(base_url=BASE_URL, timeout=120, limits=limits) as flood:

        async def one() -> None:
            async with gate:
                response = await flood.post(
                    "/oauth/token",
                    data={
                        "grant_type": "client_credentials",
                        "client_id": f"client_{secrets.token_hex(8)}",
                        "client_secret": secrets.token_urlsafe(32),
                    },
                )
                statuses[response.status_code] += 1

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(FLOOD_REQUESTS)))
        return statuses, time.perf_counter() - started


async def _measure() -> dict[str, Any]:
    stop = asyncio.Event()
    baseline_probe = asyncio.create_task(_probe_healthz(stop))
    await asyncio.sleep(2.0)
    stop.set()
    baseline = await baseline_probe
    stop = asyncio.Event()
    probe = asyncio.create_task(_probe_healthz(stop))
    statuses, seconds = await _flood()
    stop.set()
    during = await probe
    return {
        "healthz_baseline": percentiles(baseline),
        "healthz_during_flood": {
            **percentiles(during),
            "max_ms": round(max(during) * 1000, 2),
        },
        "token_statuses": dict(sorted(statuses.items())),
        "token_seconds": round(seconds, 2),
        "token_requests_per_second": round(FLOOD_REQUESTS / seconds, 1),
    }


def run(lifted: bool) -> dict[str, Any]:
    saved = {name: os.environ.get(name) for name in LIFTED}
    if lifted:
        os.environ.update(LIFTED)
    try:
        with api_server():
            return asyncio.run(_measure())
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


RUNS = os.environ.get("BENCH_FLOOD_RUNS", "default,lifted").split(",")


def main() -> None:
    with bench_server():
        for name in RUNS:
            lifted = name == "lifted"
            log(
                f"token flood: {FLOOD_REQUESTS} requests, {FLOOD_CONCURRENCY} at once, "
                + ("address and global limits lifted" if lifted else "default limits")
            )
            emit(
                {
                    "bench": "token_flood",
                    "limits": "lifted" if lifted else "default",
                    "requests": FLOOD_REQUESTS,
                    "concurrency": FLOOD_CONCURRENCY,
                    **run(lifted=lifted),
                    "machine": machine(),
                }
            )


if __name__ == "__main__":
    main()
