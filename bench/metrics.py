"""Metrics benchmarks: weekly metrics and network metrics over 52 weeks, as an operator (an admin
whose programs are `["*"]`) calls them, on the seeded graph.

The 52 weeks end with the week of the synthetic time line's last day (`bulk_load.UNTIL`), so the
range covers the generated activity. Every timed call must answer 200 with 52 weeks.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from bench.api import BASE_URL
from bench.checks import expect, expect_samples, expect_size
from bench.common import percentiles

WEEKLY = "/v1/metrics/weekly"
NETWORK = "/v1/metrics/network"
WEEKS = 52


def week_range(until: datetime, weeks: int = WEEKS) -> dict[str, str]:
    """`from`/`to` ISO weeks: `weeks` weeks ending with the week of `until`."""

    def iso(moment: datetime) -> str:
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"

    return {"from": iso(until - timedelta(weeks=weeks - 1)), "to": iso(until)}


def _time(client: httpx.Client, path: str, params: dict[str, str], n: int) -> dict[str, Any]:
    def call() -> None:
        body = expect(client.get(path, params=params), 200, f"GET {path}")
        expect_size(len(body["weeks"]), WEEKS, f"GET {path}")

    call()  # warm-up
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    expect_samples(samples, f"GET {path}")
    return {"weeks": WEEKS, **percentiles(samples)}


def weekly_and_network(operator_token: str, until: datetime, n: int = 10) -> dict[str, Any]:
    params = week_range(until)
    headers = {"Authorization": f"Bearer {operator_token}"}
    with httpx.Client(base_url=BASE_URL, headers=headers, timeout=300) as client:
        return {
            "range": params,
            "weekly_52": _time(client, WEEKLY, params, n),
            "network_52": _time(client, NETWORK, params, n),
        }
