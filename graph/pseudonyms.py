"""Pairwise pseudonymous ids: the secret they derive from, and the map back to local ids.

`(:InstanceSecret {name: 'pseudonyms', value})` is made once (MERGE) and shared by every process on
this database. `(:Pseudonym {id, audience, local_id})` records each pseudonym an export handed to
an audience, so an id that comes back from that audience — and only from it — maps back here.
"""

from __future__ import annotations

import base64
import secrets

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.values import execute

SECRET_NAME = "pseudonyms"  # noqa: S105 - the name of the secret, not the secret


async def secret(graph: Graph) -> bytes:
    """This instance's pseudonym secret (created on first use)."""
    rows = await graph.query(
        "MATCH (s:InstanceSecret {name: $name}) RETURN s.value AS value", {"name": SECRET_NAME}
    )
    if not rows:
        rows = await graph.query(
            "MERGE (s:InstanceSecret {name: $name}) ON CREATE SET s.value = $value "
            "RETURN s.value AS value",
            {"name": SECRET_NAME, "value": base64.b64encode(secrets.token_bytes(32)).decode()},
            write=True,
        )
    return base64.b64decode(str(rows[0]["value"]))


async def remember(tx: AsyncManagedTransaction, audience: str, mapping: dict[str, str]) -> None:
    """Record pseudonym → local id for `audience` (idempotent)."""
    await execute(
        tx,
        "UNWIND $rows AS row MERGE (x:Pseudonym {id: row.id}) "
        "ON CREATE SET x.audience = $audience, x.local_id = row.local_id",
        rows=[{"id": pseudonym, "local_id": local} for pseudonym, local in mapping.items()],
        audience=audience,
    )


async def resolve(graph: Graph, audience: str, ids: list[str]) -> dict[str, str]:
    """The local ids behind pseudonyms that were handed to `audience` (others are left out)."""
    if not ids:
        return {}
    rows = await graph.query(
        "MATCH (x:Pseudonym) WHERE x.id IN $ids AND x.audience = $audience "
        "RETURN x.id AS id, x.local_id AS local_id",
        {"ids": ids, "audience": audience},
    )
    return {str(row["id"]): str(row["local_id"]) for row in rows}
