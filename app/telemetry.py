"""Prometheus metrics of the service, exposed at `GET /metrics` (app/routers/prometheus.py).

One registry for the process (so several apps in one test process share it; assert on deltas):

| metric | labels | what |
| --- | --- | --- |
| `rolodex_http_request_duration_seconds` (histogram) | `method`, `route`, `status` | latency by route *template* (`/v1/people/{person_id}`); unmatched paths are `route="unmatched"`, so a scan cannot blow up the label space |
| `rolodex_neo4j_transaction_duration_seconds` (histogram) | `kind` (`read`, `write`, `query_read`, `query_write`, `schema`), `outcome` (`ok`, `error`) | each `Graph` unit of work, retries of a managed transaction included |
| `rolodex_bundle_exports_total` | `outcome` (`exported`, `consent_required`, `rate_limited`), `audience` (`self`, `platform`) | exports |
| `rolodex_bundle_imports_total` | `outcome` (`applied`, `dry_run`, `rejected`), `problem_type` (the importer's problem slug, or empty) | imports |
| `rolodex_webhook_outbox_depth` (gauge) | `status` (`pending`, `failed`) | deliveries waiting or given up, read from Neo4j at scrape time |
| `rolodex_webhook_delivery_attempts_total` | `outcome` (`delivered`, `retrying`, `gave_up`, `refused`) | attempts of the webhook worker |

Process metrics (CPU, memory, open files) come from prometheus-client's process collector. With
several uvicorn workers each process keeps its own counters; scrape each or run one worker per
container.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_LATENCY = Histogram(
    "rolodex_http_request_duration_seconds",
    "HTTP request latency by route template.",
    ("method", "route", "status"),
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
NEO4J_TX = Histogram(
    "rolodex_neo4j_transaction_duration_seconds",
    "Neo4j unit-of-work latency (managed transactions include their retries).",
    ("kind", "outcome"),
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
EXPORTS = Counter(
    "rolodex_bundle_exports",
    "Bundle exports by outcome.",
    ("outcome", "audience"),
    registry=REGISTRY,
)
IMPORTS = Counter(
    "rolodex_bundle_imports",
    "Bundle imports by outcome and problem type.",
    ("outcome", "problem_type"),
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "rolodex_webhook_outbox_depth",
    "Webhook deliveries by status (pending: waiting; failed: given up).",
    ("status",),
    registry=REGISTRY,
)
WEBHOOK_ATTEMPTS = Counter(
    "rolodex_webhook_delivery_attempts",
    "Webhook delivery attempts by outcome.",
    ("outcome",),
    registry=REGISTRY,
)

UNMATCHED_ROUTE = "unmatched"


def observe_transaction(kind: str, seconds: float, ok: bool) -> None:
    """The `Graph` observer: one observation per unit of work."""
    NEO4J_TX.labels(kind=kind, outcome="ok" if ok else "error").observe(seconds)


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    HTTP_LATENCY.labels(method=method, route=route or UNMATCHED_ROUTE, status=str(status)).observe(
        seconds
    )


def count_export(outcome: str, audience: str) -> None:
    EXPORTS.labels(outcome=outcome, audience="self" if audience == "self" else "platform").inc()


def count_import(outcome: str, problem_type: str = "") -> None:
    IMPORTS.labels(outcome=outcome, problem_type=problem_type).inc()


def count_webhook_attempt(outcome: str) -> None:
    WEBHOOK_ATTEMPTS.labels(outcome=outcome).inc()


def set_outbox_depth(depth: dict[str, int]) -> None:
    for status in ("pending", "failed"):
        OUTBOX_DEPTH.labels(status=status).set(depth.get(status, 0))


def render() -> bytes:
    """The exposition text of every metric."""
    return generate_latest(REGISTRY)
