"""The webhook outbox: `(:WebhookDelivery)` nodes written in the same transaction as the event.

Workers claim due deliveries with a lease (so two workers or processes never send the same one at
once: a claim write-locks each candidate, then reads its lease again, since under read committed
two instances can both see a delivery unleased before either commits), then record the outcome: delivered, or a failed attempt with the next try scheduled — or
given up after the last attempt. Everything lives in Neo4j, so a restart loses nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.pagination import PageRequest, RowPage, after_clause, to_page
from graph.values import Row, fetch_all

DELIVERY_STATUSES = ("pending", "delivered", "failed")

_RETURN = """
RETURN d.id AS id, d.event AS event, d.consent_id AS consent_id, d.platform_id AS platform_id,
       d.url AS url, d.status AS status, d.attempts AS attempts, d.created_at AS created_at,
       d.next_attempt_at AS next_attempt_at, d.delivered_at AS delivered_at,
       d.last_status_code AS last_status_code, d.last_error AS last_error
"""


async def claim_due(graph: Graph, now: datetime, lease: timedelta, limit: int = 20) -> list[Row]:
    """Lease up to `limit` pending deliveries whose time has come."""

    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        return await fetch_all(
            tx,
            """
            MATCH (d:WebhookDelivery {status: 'pending'})
            WHERE d.next_attempt_at <= $now AND (d.lease_until IS NULL OR d.lease_until <= $now)
            WITH d ORDER BY d.next_attempt_at, d.id LIMIT $limit
            SET d._lock = true REMOVE d._lock
            WITH d
            WHERE d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until <= $now)
            SET d.lease_until = $lease_until
            """
            + _RETURN,
            now=now,
            lease_until=now + lease,
            limit=limit,
        )

    return await graph.write(work)


async def mark_delivered(graph: Graph, delivery_id: str, status_code: int, now: datetime) -> None:
    await graph.query(
        "MATCH (d:WebhookDelivery {id: $id}) SET d.status = 'delivered', d.delivered_at = $now, "
        "d.attempts = d.attempts + 1, d.last_status_code = $code, d.last_error = null, d.lease_until = null",
        {"id": delivery_id, "now": now, "code": status_code},
        write=True,
    )


async def mark_attempt_failed(
    graph: Graph,
    delivery_id: str,
    *,
    error: str,
    status_code: int | None,
    next_attempt_at: datetime | None,
) -> None:
    """Record a failed attempt; `next_attempt_at=None` gives up (status `failed`)."""
    await graph.query(
        """
        MATCH (d:WebhookDelivery {id: $id})
        SET d.attempts = d.attempts + 1, d.last_error = $error, d.last_status_code = $code,
            d.lease_until = null,
            d.status = CASE WHEN $next IS NULL THEN 'failed' ELSE 'pending' END,
            d.next_attempt_at = coalesce($next, d.next_attempt_at)
        """,
        {"id": delivery_id, "error": error[:500], "code": status_code, "next": next_attempt_at},
        write=True,
    )


async def list_deliveries(graph: Graph, page: PageRequest, status: str | None = None) -> RowPage:
    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        return await fetch_all(
            tx,
            "MATCH (d:WebhookDelivery) WHERE ($status IS NULL OR d.status = $status) AND "
            + after_clause("d.created_at", "d.id")
            + _RETURN
            + " ORDER BY created_at, id LIMIT $fetch",
            status=status,
            **page.params(),
        )

    rows = await graph.read(work)
    return to_page(rows, page, lambda row: (row["created_at"], row["id"]))


async def pending_count(graph: Graph) -> int:
    rows = await graph.query("MATCH (d:WebhookDelivery {status: 'pending'}) RETURN count(d) AS n")
    return int(rows[0]["n"])


async def depth_by_status(graph: Graph) -> dict[str, int]:
    """How many deliveries wait (`pending`) and how many were given up (`failed`)."""
    rows = await graph.query(
        "MATCH (d:WebhookDelivery) WHERE d.status IN ['pending', 'failed'] "
        "RETURN d.status AS status, count(d) AS n"
    )
    return {row["status"]: int(row["n"]) for row in rows}
