"""The audit log: `(:AuditEvent)` nodes for consent, export and import events.

Each event is written inside the transaction of the change it records (a grant, a revocation, an
export record, an applied import), so an event exists exactly when its change committed. Refused
requests (a rejected import, an export without consent) write nothing to the graph: they are
counted in the Prometheus metrics and logged. An erasure anonymises the person's events.

Properties: `id`, `event`, `at`, `actor`, `actor_role`, `person_id`, `audience`, `consent_id`,
`bundle_id`, `outcome`, `problem_type` (null where it does not apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.ids import new_id
from graph.pagination import PageRequest, RowPage, after_clause, to_page
from graph.values import Row, execute, fetch_all

CONSENT_GRANTED = "consent.granted"
CONSENT_REVOKED = "consent.revoked"
BUNDLE_EXPORTED = "bundle.exported"
BUNDLE_IMPORTED = "bundle.imported"
EVENTS = (CONSENT_GRANTED, CONSENT_REVOKED, BUNDLE_EXPORTED, BUNDLE_IMPORTED)

FIELDS = (
    "id",
    "event",
    "at",
    "actor",
    "actor_role",
    "person_id",
    "audience",
    "consent_id",
    "bundle_id",
    "outcome",
    "problem_type",
)


@dataclass(frozen=True)
class AuditActor:
    """Who caused an event: a token subject and its role (`system` for the service itself)."""

    subject: str | None
    role: str


SYSTEM = AuditActor(subject=None, role="system")


CREATE_EVENT: LiteralString = (
    "CREATE (:AuditEvent {id: $audit.id, event: $audit.event, at: $audit.at, "
    "actor: $audit.actor, actor_role: $audit.actor_role, person_id: $audit.person_id, "
    "audience: $audit.audience, consent_id: $audit.consent_id, bundle_id: $audit.bundle_id, "
    "outcome: $audit.outcome, problem_type: $audit.problem_type})"
)
"""The one statement fragment that writes an event, from the `$audit` map of `event_params()`; a
statement that records a change may end with it, so the event costs no round trip of its own."""


def event_params(
    name: str,
    *,
    at: datetime,
    actor: AuditActor,
    outcome: str,
    person_id: str | None = None,
    audience: str | None = None,
    consent_id: str | None = None,
    bundle_id: str | None = None,
    problem_type: str | None = None,
) -> dict[str, Any]:
    """The `$audit` parameter of `CREATE_EVENT` (a new id; ValueError for an unknown event)."""
    if name not in EVENTS:
        raise ValueError(f"unknown audit event {name!r}")
    return {
        "id": new_id("aud"),
        "event": name,
        "at": at,
        "actor": actor.subject,
        "actor_role": actor.role,
        "person_id": person_id,
        "audience": audience,
        "consent_id": consent_id,
        "bundle_id": bundle_id,
        "outcome": outcome,
        "problem_type": problem_type,
    }


async def record(tx: AsyncManagedTransaction, event_name: str, **fields: Any) -> None:
    """Write one event in the caller's transaction (`fields`: the keywords of `event_params`)."""
    await execute(tx, CREATE_EVENT, audit=event_params(event_name, **fields))


async def anonymise_person(tx: AsyncManagedTransaction, person_id: str) -> None:
    """Inside an erasure: the events stay (counts, dates, audiences) but no longer name the person."""
    await execute(
        tx,
        "MATCH (a:AuditEvent) WHERE a.person_id = $id OR a.actor = $id "
        "SET a.person_id = CASE WHEN a.person_id = $id THEN null ELSE a.person_id END, "
        "a.actor = CASE WHEN a.actor = $id THEN null ELSE a.actor END",
        id=person_id,
    )


async def list_events(
    graph: Graph,
    page: PageRequest,
    *,
    event: str | None = None,
    person_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> RowPage:
    """Events oldest first, filtered by kind, person and the half-open time range [start, end)."""

    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        return await fetch_all(
            tx,
            "MATCH (a:AuditEvent) WHERE ($event IS NULL OR a.event = $event) "
            "AND ($person_id IS NULL OR a.person_id = $person_id) "
            "AND ($start IS NULL OR a.at >= $start) AND ($end IS NULL OR a.at < $end) AND "
            + after_clause("a.at", "a.id")
            + " RETURN a {.*} AS event ORDER BY a.at, a.id LIMIT $fetch",
            event=event,
            person_id=person_id,
            start=start,
            end=end,
            **page.params(),
        )

    rows = [_complete(row["event"]) for row in await graph.read(work)]
    return to_page(rows, page, lambda row: (row["at"], row["id"]))


def _complete(row: dict[str, Any]) -> Row:
    return {name: row.get(name) for name in FIELDS}
