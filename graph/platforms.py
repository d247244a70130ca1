"""Platforms: this instance's trusted partners — issuer, keys (JWKS URL or inline JWKS), webhook URL.

A `(:Platform)` may first appear through `rolodex clients create` (id and name only); registering
it (`register_platform`) adds the issuer, keys and webhook and makes it trusted for imports.
Deleting a platform unregisters it (no longer trusted, no more webhooks, its OAuth clients disabled
for good) but keeps the node, since consents, exports and provenance refer to it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.clients import disable_clients_of
from graph.db import Graph
from graph.errors import ConflictError, NotFoundError
from graph.pagination import PageRequest, RowPage, after_clause, to_page
from graph.values import Row, fetch_all, fetch_one

_RETURN = """
RETURN p.id AS id, p.name AS name, p.issuer AS issuer, p.jwks_url AS jwks_url,
       p.jwks_json AS jwks_json, p.webhook_url AS webhook_url,
       p.registered_at AS created_at, p.updated_at AS updated_at
"""


def _shape(row: Row) -> Row:
    jwks_json = row.pop("jwks_json", None)
    row["jwks"] = json.loads(jwks_json) if jwks_json else None
    return row


async def register_platform(graph: Graph, fields: dict[str, Any], now: datetime) -> Row:
    """Register a platform; ConflictError if the id or the issuer is already registered."""

    async def work(tx: AsyncManagedTransaction) -> Row:
        taken = await fetch_one(
            tx,
            "MATCH (p:Platform) WHERE p.registered_at IS NOT NULL AND p.deleted_at IS NULL "
            "AND (p.id = $id OR p.issuer = $issuer) RETURN p.id AS id",
            id=fields["id"],
            issuer=fields["issuer"],
        )
        if taken is not None:
            raise ConflictError(
                f"A platform with id {fields['id']!r} or issuer {fields['issuer']!r} is already registered."
            )
        row = await fetch_one(
            tx,
            "MERGE (p:Platform {id: $id}) "
            "SET p.name = $name, p.issuer = $issuer, p.jwks_url = $jwks_url, p.jwks_json = $jwks_json, "
            "p.webhook_url = $webhook_url, p.registered_at = $now, p.updated_at = $now, p.deleted_at = null "
            + _RETURN,
            now=now,
            **_params(fields),
        )
        assert row is not None
        return _shape(row)

    return await graph.write(work)


def _params(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fields["id"],
        "name": fields["name"],
        "issuer": fields["issuer"],
        "jwks_url": fields.get("jwks_url"),
        "jwks_json": json.dumps(fields["jwks"]) if fields.get("jwks") else None,
        "webhook_url": fields.get("webhook_url"),
    }


_REGISTERED = "p.registered_at IS NOT NULL AND p.deleted_at IS NULL"


async def get_platform(graph: Graph, platform_id: str) -> Row | None:
    rows = await graph.query(
        "MATCH (p:Platform {id: $id}) WHERE " + _REGISTERED + _RETURN, {"id": platform_id}
    )
    return _shape(rows[0]) if rows else None


async def find_by_issuer(graph: Graph, issuer: str) -> Row | None:
    rows = await graph.query(
        "MATCH (p:Platform {issuer: $issuer}) WHERE " + _REGISTERED + _RETURN, {"issuer": issuer}
    )
    return _shape(rows[0]) if rows else None


async def list_platforms(graph: Graph, page: PageRequest) -> RowPage:
    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        return await fetch_all(
            tx,
            "MATCH (p:Platform) WHERE "
            + _REGISTERED
            + " AND "
            + after_clause("p.registered_at", "p.id")
            + _RETURN
            + " ORDER BY created_at, id LIMIT $fetch",
            **page.params(),
        )

    rows = await graph.read(work)
    return to_page([_shape(row) for row in rows], page, lambda row: (row["created_at"], row["id"]))


async def update_platform(
    graph: Graph, platform_id: str, changes: dict[str, Any], now: datetime
) -> Row:
    async def work(tx: AsyncManagedTransaction) -> Row:
        current = await fetch_one(
            tx, "MATCH (p:Platform {id: $id}) WHERE " + _REGISTERED + _RETURN, id=platform_id
        )
        if current is None:
            raise NotFoundError(f"No platform {platform_id!r}.")
        merged = {**_shape(current), **changes}
        if "issuer" in changes:
            clash = await fetch_one(
                tx,
                "MATCH (p:Platform {issuer: $issuer}) WHERE "
                + _REGISTERED
                + " AND p.id <> $id RETURN p.id AS id",
                issuer=changes["issuer"],
                id=platform_id,
            )
            if clash is not None:
                raise ConflictError(f"Issuer {changes['issuer']!r} belongs to another platform.")
        row = await fetch_one(
            tx,
            "MATCH (p:Platform {id: $id}) SET p.name = $name, p.issuer = $issuer, p.jwks_url = $jwks_url, "
            "p.jwks_json = $jwks_json, p.webhook_url = $webhook_url, p.updated_at = $now" + _RETURN,
            now=now,
            **_params(merged),
        )
        assert row is not None
        return _shape(row)

    return await graph.write(work)


async def unregister_platform(graph: Graph, platform_id: str, now: datetime) -> None:
    """Unregister the platform and disable its clients for good (re-registering makes new ones)."""

    async def work(tx: AsyncManagedTransaction) -> None:
        row = await fetch_one(
            tx,
            "MATCH (p:Platform {id: $id}) WHERE "
            + _REGISTERED
            + " SET p.deleted_at = $now RETURN p.id AS id",
            id=platform_id,
            now=now,
        )
        if row is None:
            raise NotFoundError(f"No platform {platform_id!r}.")
        await disable_clients_of(tx, platform_id, now)

    await graph.write(work)
