"""Metrics benchmarks: weekly metrics over 52 weeks and the network metrics, on the seeded graph.

The metrics API is built on another branch. Until `/v1/metrics/weekly` (and a network metrics
route under `/v1/metrics/`) is served, each figure is `{"skipped": "…not merged"}`; once they
exist, they are timed as an operator (`*` admin) would call them.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.api import BASE_URL
from bench.common import emit, percentiles

WEEKLY = "/v1/metrics/weekly"
NETWORK_CANDIDATES = ("/v1/metrics/network", "/v1/metrics/network-growth")


def _time(client: httpx.Client, path: str, params: dict[str, Any], n: int) -> dict[str, Any]:
    response = client.get(path, params=params)  # warm-up, and a status to report
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(path, params=params)
        samples.append(time.perf_counter() - started)
    return {"status": response.status_code, **percentiles(samples)}


def weekly_and_network(openapi_paths: set[str], admin_token: str, n: int = 10) -> dict[str, Any]:
    results: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=BASE_URL, headers=headers, timeout=120) as client:
        if WEEKLY in openapi_paths:
            results["weekly_52"] = _time(client, WEEKLY, {"weeks": 52}, n)
        else:
            results["weekly_52"] = {"skipped": "weekly metrics (/v1/metrics/weekly) not merged"}
        network = next((p for p in NETWORK_CANDIDATES if p in openapi_paths), None)
        if network:
            results["network"] = _time(client, network, {"weeks": 52}, n)
        else:
            results["network"] = {"skipped": "network metrics not merged"}
    return results


if __name__ == "__main__":
    emit({"bench": "metrics"} | weekly_and_network(set(), ""))
