"""Export records: who exported whose bundle, for which audience and scopes, under which consent.

`(:Export)-[:OF]->(:Person)`, `(:Export)-[:UNDER]->(:Consent)`, and for platform audiences the
`(:Consent)-[:DELIVERED_TO]->(:Platform)` edge that revocation notices follow. Written in one
transaction that also re-checks the consent, so a revocation racing an export either refuses the
export or sees it recorded (and notifies the platform).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import audit, pseudonyms
from graph.audit import AuditActor
from graph.db import Graph
from graph.errors import ConflictError
from graph.values import execute, fetch_one


async def record_export(
    graph: Graph, export: dict[str, Any], handed_out: dict[str, str] | None = None
) -> None:
    """Record the export, the pseudonyms it handed out and its audit event; ConflictError when
    the consent was revoked or expired meanwhile.

    `export`: id, person_id, consent_id, audience, scopes, actor, actor_role, at, size_bytes.
    `handed_out`: pseudonym → local id, for the audience (graph/pseudonyms.py).
    """

    async def work(tx: AsyncManagedTransaction) -> None:
        consent = await fetch_one(
            tx,
            "MATCH (c:Consent {id: $consent_id}) SET c._lock = true REMOVE c._lock "
            "RETURN c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $at) AS active",
            consent_id=export["consent_id"],
            at=export["at"],
        )
        if consent is None or not consent["active"]:
            raise ConflictError(
                "The consent was revoked or expired while the bundle was being made."
            )
        await execute(
            tx,
            """
            MATCH (p:Person {id: $person_id}), (c:Consent {id: $consent_id})
            CREATE (e:Export {id: $id, audience: $audience, scopes: $scopes, at: $at, actor: $actor,
                              actor_role: $actor_role, size_bytes: $size_bytes})
            CREATE (e)-[:OF]->(p), (e)-[:UNDER]->(c)
            WITH c
            OPTIONAL MATCH (platform:Platform {id: $audience})
            FOREACH (_ IN CASE WHEN platform IS NULL THEN [] ELSE [1] END |
                MERGE (c)-[r:DELIVERED_TO]->(platform)
                  ON CREATE SET r.first_at = $at
                SET r.last_at = $at)
            """,
            **export,
        )
        if handed_out:
            await pseudonyms.remember(tx, export["audience"], handed_out)
        await audit.record(
            tx,
            audit.BUNDLE_EXPORTED,
            at=export["at"],
            actor=AuditActor(subject=export["actor"], role=export["actor_role"]),
            outcome="exported",
            person_id=export["person_id"],
            audience=export["audience"],
            consent_id=export["consent_id"],
            bundle_id=export["id"],
        )

    await graph.write(work)


async def count_exports(graph: Graph, person_id: str) -> int:
    rows = await graph.query(
        "MATCH (e:Export)-[:OF]->(:Person {id: $id}) RETURN count(e) AS n", {"id": person_id}
    )
    return int(rows[0]["n"])


async def exports_between(graph: Graph, start: datetime, end: datetime) -> int:
    rows = await graph.query(
        "MATCH (e:Export) WHERE e.at >= $start AND e.at < $end RETURN count(e) AS n",
        {"start": start, "end": end},
    )
    return int(rows[0]["n"])
