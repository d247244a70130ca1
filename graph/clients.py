"""Partner OAuth clients: `(:Client)-[:ACTS_FOR]->(:Platform)`, secrets stored only as hashes.

A client is disabled for good when its platform is unregistered (`graph/platforms.py`): the token
endpoint refuses it and its outstanding tokens stop working (`client_in_good_standing`);
registering the platform again does not revive it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph.db import Graph


@dataclass(frozen=True)
class ClientRecord:
    client_id: str
    platform_id: str
    name: str
    scopes: frozenset[str]
    secret_hash: str
    disabled: bool


async def create_client(
    graph: Graph,
    *,
    client_id: str,
    platform_id: str,
    name: str,
    scopes: list[str],
    secret_hash: str,
) -> None:
    async def work(tx: AsyncManagedTransaction) -> None:
        await tx.run(
            """
            MERGE (p:Platform {id: $platform_id})
              ON CREATE SET p.name = $name, p.created_at = datetime()
            CREATE (c:Client {client_id: $client_id, name: $name, scopes: $scopes,
                              secret_hash: $secret_hash, disabled: false, created_at: datetime()})
            CREATE (c)-[:ACTS_FOR]->(p)
            """,
            client_id=client_id,
            platform_id=platform_id,
            name=name,
            scopes=sorted(scopes),
            secret_hash=secret_hash,
        )

    await graph.write(work)


async def find_client(graph: Graph, client_id: str) -> ClientRecord | None:
    rows = await graph.query(
        """
        MATCH (c:Client {client_id: $client_id})-[:ACTS_FOR]->(p:Platform)
        RETURN c.client_id AS client_id, p.id AS platform_id, c.name AS name, c.scopes AS scopes,
               c.secret_hash AS secret_hash,
               coalesce(c.disabled, false) OR p.deleted_at IS NOT NULL AS disabled
        """,
        {"client_id": client_id},
    )
    if not rows:
        return None
    row = rows[0]
    return ClientRecord(
        client_id=row["client_id"],
        platform_id=row["platform_id"],
        name=row["name"],
        scopes=frozenset(row["scopes"] or []),
        secret_hash=row["secret_hash"],
        disabled=bool(row["disabled"]),
    )


async def client_in_good_standing(graph: Graph, client_id: str, platform_id: str) -> bool:
    """False when the client was disabled or the platform it acts for is unregistered.

    Checked on every partner request, so unregistering stops outstanding tokens at once.
    """
    rows = await graph.query(
        """
        OPTIONAL MATCH (c:Client {client_id: $client_id})
        OPTIONAL MATCH (p:Platform {id: $platform_id})
        RETURN coalesce(c.disabled, false) OR p.deleted_at IS NOT NULL AS refused
        """,
        {"client_id": client_id, "platform_id": platform_id},
    )
    return not rows[0]["refused"]


async def disable_clients_of(tx: AsyncManagedTransaction, platform_id: str, now: datetime) -> None:
    """Disable every client of the platform (run in the transaction that unregisters it)."""
    await tx.run(
        """
        MATCH (c:Client)-[:ACTS_FOR]->(:Platform {id: $platform_id})
        SET c.disabled = true, c.disabled_at = $now
        """,
        platform_id=platform_id,
        now=now,
    )
