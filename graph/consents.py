"""Consent grants: `(:Person)-[:GRANTED]->(:Consent)-[:FOR_PLATFORM]->(:Platform)`.

A grant names its audience (a platform id, or `self`), scopes, purpose, expiry and how it was
collected, and stores the signed receipt it was issued with. Revocation is one transaction that
stamps `revoked_at` and writes one `(:WebhookDelivery)` per platform that received data under the
grant (`(:Consent)-[:DELIVERED_TO]->(:Platform)`, recorded at export and import time) — a
transactional outbox, so a revocation is never acknowledged without its notifications queued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph import audit
from graph.audit import AuditActor
from graph.db import Graph
from graph.errors import InvalidError, NotFoundError
from graph.ids import new_id
from graph.pagination import PageRequest, RowPage, after_clause, to_page
from graph.values import Row, execute, fetch_all, fetch_one

SELF_AUDIENCE = "self"

ACTIVE_GRANT_OF_P: LiteralString = """
COLLECT {
  MATCH (p)-[:GRANTED]->(c:Consent {audience: $audience})
  WHERE c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $now)
  WITH c ORDER BY c.granted_at DESC LIMIT 1
  RETURN c {.id, .scopes, .receipt}
}"""
"""As an expression in a statement that has matched the person `p`: a list holding the newest
active grant of `p` to `$audience` at `$now` (id, scopes, receipt), or empty; what
`active_grant` finds, for a statement that reads more in the same round trip."""

_RETURN = """
RETURN c.id AS id, person.id AS person_id, c.audience AS audience, c.scopes AS scopes,
       c.purpose AS purpose, c.granted_at AS granted_at, c.expires_at AS expires_at,
       c.revoked_at AS revoked_at, c.policy_version AS policy_version,
       c.collection_method AS collection_method, c.evidence AS evidence,
       c.receipt_id AS receipt_id, c.receipt AS receipt
"""


def consent_state(row: Row, now: datetime) -> tuple[str, datetime]:
    """(`active` | `revoked` | `expired`, since when)."""
    if row.get("revoked_at") is not None:
        return "revoked", row["revoked_at"]
    expires_at = row.get("expires_at")
    if expires_at is not None and expires_at <= now:
        return "expired", expires_at
    return "active", row["granted_at"]


async def grant_consent(
    graph: Graph, consent: dict[str, Any], actor: AuditActor = audit.SYSTEM
) -> Row:
    """Store a grant (with its receipt) and its audit event, in one transaction. NotFoundError for
    an unknown person; InvalidError for an unknown platform."""

    async def work(tx: AsyncManagedTransaction) -> Row:
        person = await fetch_one(
            tx, "MATCH (p:Person {id: $id}) RETURN p.id AS id", id=consent["person_id"]
        )
        if person is None:
            raise NotFoundError(f"No person {consent['person_id']!r}.")
        if consent["audience"] != SELF_AUDIENCE:
            platform = await fetch_one(
                tx,
                "MATCH (p:Platform {id: $id}) WHERE p.registered_at IS NOT NULL AND p.deleted_at IS NULL "
                "RETURN p.id AS id",
                id=consent["audience"],
            )
            if platform is None:
                raise InvalidError(
                    f"Audience {consent['audience']!r} is not a registered platform."
                )
        row = await fetch_one(
            tx,
            """
            MATCH (person:Person {id: $person_id})
            CREATE (person)-[:GRANTED]->(c:Consent {
                id: $id, audience: $audience, scopes: $scopes, purpose: $purpose,
                granted_at: $granted_at, expires_at: $expires_at, revoked_at: null,
                policy_version: $policy_version, collection_method: $collection_method,
                evidence: $evidence, receipt_id: $receipt_id, receipt: $receipt})
            WITH person, c
            OPTIONAL MATCH (platform:Platform {id: $audience})
            FOREACH (_ IN CASE WHEN platform IS NULL THEN [] ELSE [1] END |
                CREATE (c)-[:FOR_PLATFORM]->(platform))
            """
            + _RETURN,
            **consent,
        )
        assert row is not None
        await audit.record(
            tx,
            audit.CONSENT_GRANTED,
            at=consent["granted_at"],
            actor=actor,
            outcome="granted",
            person_id=consent["person_id"],
            audience=consent["audience"],
            consent_id=consent["id"],
        )
        return row

    return await graph.write(work)


async def get_consent(graph: Graph, consent_id: str) -> Row | None:
    # After an erasure the grant stays (anonymous, revoked) with no Person behind it.
    rows = await graph.query(
        "MATCH (c:Consent {id: $id}) OPTIONAL MATCH (person:Person)-[:GRANTED]->(c)" + _RETURN,
        {"id": consent_id},
    )
    return rows[0] if rows else None


async def list_consents(
    graph: Graph, person_id: str, page: PageRequest, audience: str | None = None
) -> RowPage:
    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        return await fetch_all(
            tx,
            "MATCH (person:Person {id: $person_id})-[:GRANTED]->(c:Consent) "
            "WHERE ($audience IS NULL OR c.audience = $audience) AND "
            + after_clause("c.granted_at", "c.id")
            + _RETURN
            + " ORDER BY granted_at, id LIMIT $fetch",
            person_id=person_id,
            audience=audience,
            **page.params(),
        )

    rows = await graph.read(work)
    return to_page(rows, page, lambda row: (row["granted_at"], row["id"]))


async def revoke_consent(
    graph: Graph, consent_id: str, now: datetime, actor: AuditActor = audit.SYSTEM
) -> tuple[Row, int]:
    """Revoke (idempotently) and queue one webhook delivery per recipient platform, with the
    audit event, in one transaction.

    Returns the consent and how many deliveries this call queued (0 when it was already revoked).
    """

    async def work(tx: AsyncManagedTransaction) -> tuple[Row, int]:
        current = await fetch_one(
            tx,
            "MATCH (person:Person)-[:GRANTED]->(c:Consent {id: $id}) SET c._lock = true REMOVE c._lock"
            + _RETURN,
            id=consent_id,
        )
        if current is None:
            raise NotFoundError(f"No consent {consent_id!r}.")
        if current["revoked_at"] is not None:
            return current, 0
        queued = await _revoke_in_tx(tx, consent_id, now)
        await audit.record(
            tx,
            audit.CONSENT_REVOKED,
            at=now,
            actor=actor,
            outcome="revoked",
            person_id=current["person_id"],
            audience=current["audience"],
            consent_id=consent_id,
        )
        return {**current, "revoked_at": now}, queued

    return await graph.write(work)


async def _revoke_in_tx(tx: AsyncManagedTransaction, consent_id: str, now: datetime) -> int:
    """Stamp `revoked_at` and queue one delivery per recipient platform; return how many."""
    await execute(tx, "MATCH (c:Consent {id: $id}) SET c.revoked_at = $now", id=consent_id, now=now)
    recipients = await fetch_all(
        tx,
        "MATCH (c:Consent {id: $id})-[:DELIVERED_TO]->(p:Platform) "
        "WHERE p.webhook_url IS NOT NULL AND p.deleted_at IS NULL "
        "RETURN p.id AS platform_id, p.webhook_url AS url ORDER BY platform_id",
        id=consent_id,
    )
    deliveries = [
        {"id": new_id("whd"), "platform_id": r["platform_id"], "url": r["url"]} for r in recipients
    ]
    await execute(
        tx,
        """
        MATCH (c:Consent {id: $id})
        UNWIND $deliveries AS d
        MATCH (p:Platform {id: d.platform_id})
        CREATE (w:WebhookDelivery {
            id: d.id, event: 'consent.revoked', consent_id: $id, platform_id: d.platform_id,
            url: d.url, status: 'pending', attempts: 0, created_at: $now, next_attempt_at: $now})
        CREATE (w)-[:ABOUT]->(c), (w)-[:TO]->(p)
        """,
        id=consent_id,
        deliveries=deliveries,
        now=now,
    )
    return len(deliveries)


async def revoke_all_for_erasure(
    tx: AsyncManagedTransaction, person_id: str, now: datetime
) -> None:
    """Inside an erasure: revoke every live grant (queueing notices to the platforms that received
    data, as a revocation does) and strip what identifies the person from every grant they made.

    The grants stay as anonymous records (id, audience, scopes, dates) so the public status
    endpoint keeps answering `revoked` to whoever holds a receipt or bundle. Export records lose
    their actor, and the legacy-preference records and audits of the person are deleted.
    """
    live = await fetch_all(
        tx,
        "MATCH (:Person {id: $id})-[:GRANTED]->(c:Consent) WHERE c.revoked_at IS NULL "
        "RETURN c.id AS id, c.audience AS audience",
        id=person_id,
    )
    for row in live:
        await _revoke_in_tx(tx, row["id"], now)
        await audit.record(
            tx,
            audit.CONSENT_REVOKED,
            at=now,
            actor=audit.SYSTEM,
            outcome="revoked-by-erasure",
            audience=row["audience"],
            consent_id=row["id"],
        )
    await audit.anonymise_person(tx, person_id)
    await execute(
        tx,
        """
        MATCH (:Person {id: $id})-[:GRANTED]->(c:Consent)
        SET c.receipt = null, c.evidence = null, c.purpose = '(erased)', c.erased_at = $now
        """,
        id=person_id,
        now=now,
    )
    await execute(tx, "MATCH (e:Export {actor: $id}) SET e.actor = null", id=person_id)
    await execute(
        tx,
        "MATCH (n:LegacyPreferences|PreferenceAudit {person_id: $id}) DETACH DELETE n",
        id=person_id,
    )


async def record_recipient(graph: Graph, consent_id: str, platform_id: str, now: datetime) -> None:
    """Remember that `platform_id` received data under this consent (for revocation notices)."""
    await graph.query(
        """
        MATCH (c:Consent {id: $consent_id}), (p:Platform {id: $platform_id})
        MERGE (c)-[r:DELIVERED_TO]->(p)
          ON CREATE SET r.first_at = $now
        SET r.last_at = $now
        """,
        {"consent_id": consent_id, "platform_id": platform_id, "now": now},
        write=True,
    )


async def active_grant(graph: Graph, person_id: str, audience: str, now: datetime) -> Row | None:
    """The newest active grant of `person_id` to `audience`, if any."""
    rows = await graph.query(
        "MATCH (person:Person {id: $person_id})-[:GRANTED]->(c:Consent {audience: $audience}) "
        "WHERE c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $now) "
        "WITH person, c ORDER BY c.granted_at DESC LIMIT 1" + _RETURN,
        {"person_id": person_id, "audience": audience, "now": now},
    )
    return rows[0] if rows else None
