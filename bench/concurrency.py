"""Throughput under 64 concurrent clients for a bounded time, on loopback only.

Uses `wrk` (Debian package; `make bench-tools` installs it) with a Lua script that rotates
through many people and their tokens and prints its summary as JSON. Without wrk, a bounded
asyncio + httpx client does the same (it costs more CPU on the same two cores, so its numbers
are lower; the result says which tool ran).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.api import BASE_URL
from bench.checks import BenchError
from bench.common import percentiles

CONNECTIONS = 64
SECONDS = 30
TIMEOUT_SECONDS = 5
"""A request slower than this counts as a timeout (an error), at most a third of the run's
length, so a request that never finishes in the window is counted rather than dropped."""


def _timeout(seconds: int) -> int:
    return max(1, min(TIMEOUT_SECONDS, seconds // 3))


@dataclass(frozen=True)
class Target:
    """One endpoint: method, a path per person, and an optional JSON body."""

    name: str
    method: str
    paths: list[tuple[str, str]]  # (path, bearer token)
    body: str | None = None


LUA = """
local items = {%(items)s}
local body = %(body)s
local counter = 0
request = function()
  counter = counter + 1
  local item = items[(counter %% #items) + 1]
  local headers = {["Authorization"] = "Bearer " .. item[2]}
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format("%(method)s", item[1], headers, body)
end
done = function(summary, latency, requests)
  io.write(string.format(
    '\\nRESULT {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"mean_us":%%.1f,' ..
    '"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
"""


def _lua(target: Target) -> str:
    items = ",".join(f'{{"{path}","{token}"}}' for path, token in target.paths)
    body = json.dumps(target.body) if target.body is not None else "nil"
    return LUA % {"items": items, "body": body, "method": target.method}


def run(target: Target, seconds: int = SECONDS, connections: int = CONNECTIONS) -> dict[str, Any]:
    if shutil.which("wrk"):
        result = _wrk(target, seconds, connections)
    else:
        result = asyncio.run(_python(target, seconds, connections))
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    if result["requests"] == 0 and result["errors"] == 0:
        raise BenchError(f"{target.name}: measured nothing in {seconds} s ({result})")
    return result


def _wrk(target: Target, seconds: int, connections: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bench.lua"
        script.write_text(_lua(target))
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                f"{_timeout(seconds)}s",
                "-s",
                f"{script}",
                BASE_URL,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    summary = json.loads(line.removeprefix("RESULT "))
    errors = sum(summary[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "tool": "wrk 2 threads",
        "endpoint": target.name,
        "connections": connections,
        "seconds": round(summary["duration_us"] / 1e6, 1),
        "requests": summary["requests"],
        "requests_per_s": round(summary["requests"] / (summary["duration_us"] / 1e6), 1),
        "p50_ms": round(summary["p50_us"] / 1000, 1),
        "p99_ms": round(summary["p99_us"] / 1000, 1),
        "errors": errors,
        "error_kinds": {k: summary[k] for k in ("connect", "read", "write", "status", "timeout")},
    }


async def _python(target: Target, seconds: int, connections: int) -> dict[str, Any]:
    """The fallback: `connections` workers, each sending one request at a time until the end."""
    samples: list[float] = []
    kinds: dict[str, int] = {"status": 0, "timeout": 0, "connect": 0}
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async def worker(offset: int, client: httpx.AsyncClient) -> None:
        turn = offset
        while time.monotonic() < deadline:
            path, token = target.paths[turn % len(target.paths)]
            turn += connections
            started = time.perf_counter()
            try:
                response = await client.request(
                    target.method,
                    path,
                    content=target.body,
                    headers={"Authorization": f"Bearer {token}"}
                    | ({"Content-Type": "application/json"} if target.body else {}),
                )
                if response.status_code >= 400:
                    kinds["status"] += 1
                samples.append(time.perf_counter() - started)
            except httpx.TimeoutException:
                kinds["timeout"] += 1
            except httpx.HTTPError:
                kinds["connect"] += 1

    started = time.monotonic()
    async with httpx.AsyncClient(
        base_url=BASE_URL, limits=limits, timeout=_timeout(seconds)
    ) as client:
        await asyncio.gather(*(worker(n, client) for n in range(connections)))
    elapsed = time.monotonic() - started
    stats = percentiles(samples)
    return {
        "tool": "python asyncio+httpx",
        "endpoint": target.name,
        "connections": connections,
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "requests_per_s": round(len(samples) / elapsed, 1),
        "p50_ms": stats.get("p50_ms"),
        "p99_ms": stats.get("p99_ms"),
        "timeout_s": _timeout(seconds),
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
    }
