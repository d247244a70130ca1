"""Export records: who exported whose bundle, for which audience and scopes, under which consent.

`(:Export)-[:OF]->(:Person)`, `(:Export)-[:UNDER]->(:Consent)`, and for platform audiences the
`(:Consent)-[:DELIVERED_TO]->(:Platform)` edge that revocation notices follow. Written in the
export's one transaction (the one that read the slice), by one statement that locks and re-checks
the consent first, so a revocation racing an export either refuses the export or sees it recorded
(and notifies the platform).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from graph import audit, pseudonyms
from graph.audit import AuditActor
from graph.db import Graph
from graph.errors import ConflictError
from graph.values import fetch_one


@dataclass(frozen=True)
class ExportRecord:
    """One bundle handed out: whose, to whom, which scopes, under which consent, by whom."""

    id: str
    person_id: str
    consent_id: str
    audience: str
    scopes: list[str]
    actor: AuditActor
    at: datetime
    size_bytes: int


RECORD_EXPORT: LiteralString = (
    """
    MATCH (c:Consent {id: $consent_id})
    SET c._lock = true REMOVE c._lock
    WITH c WHERE c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $at)
    MATCH (p:Person {id: $person_id})
    CREATE (e:Export {id: $id, audience: $audience, scopes: $scopes, at: $at, actor: $actor,
                      actor_role: $actor_role, size_bytes: $size_bytes})
    CREATE (e)-[:OF]->(p), (e)-[:UNDER]->(c)
    WITH c, e
    OPTIONAL MATCH (platform:Platform {id: $audience})
    FOREACH (_ IN CASE WHEN platform IS NULL THEN [] ELSE [1] END |
        MERGE (c)-[r:DELIVERED_TO]->(platform)
          ON CREATE SET r.first_at = $at
        SET r.last_at = $at)
    WITH e
    """
    + audit.CREATE_EVENT
    + """
    RETURN e.id AS id
    """
)
"""One statement: lock the consent and check it is still active, then the export record, its
edges and its audit event; no row when the consent is gone (nothing is written then)."""


async def record_export(
    tx: AsyncManagedTransaction, export: ExportRecord, handed_out: dict[str, str] | None = None
) -> None:
    """Record the export, its audit event and the pseudonyms it handed out, in the caller's
    transaction (the one that read what the bundle holds); ConflictError when the consent was
    revoked or expired meanwhile (the caller's transaction then writes nothing).

    `handed_out`: pseudonym → local id, for the audience (graph/pseudonyms.py).
    """
    written = await fetch_one(
        tx,
        RECORD_EXPORT,
        id=export.id,
        person_id=export.person_id,
        consent_id=export.consent_id,
        audience=export.audience,
        scopes=export.scopes,
        at=export.at,
        actor=export.actor.subject,
        actor_role=export.actor.role,
        size_bytes=export.size_bytes,
        audit=audit.event_params(
            audit.BUNDLE_EXPORTED,
            at=export.at,
            actor=export.actor,
            outcome="exported",
            person_id=export.person_id,
            audience=export.audience,
            consent_id=export.consent_id,
            bundle_id=export.id,
        ),
    )
    if written is None:
        raise ConflictError("The consent was revoked or expired while the bundle was being made.")
    if handed_out:
        await pseudonyms.remember(tx, export.audience, handed_out)


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
