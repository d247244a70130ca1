"""Read one person's slice of the graph for a bundle: every requested scope in one statement.

Each scope reads an explicit list of properties — never `properties(n)` — so new fields never leak
into bundles by accident. Third parties appear only through what the person recorded about them
(contacts) or as opaque ids (mentorship counterparts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.consents import ACTIVE_GRANT_OF_P
from graph.db import Graph
from graph.errors import NotFoundError, no_such
from graph.values import Row

PROFILE: LiteralString = """
p {.id, .display_name, .headline, .skills, .interests, .languages, .timezone, .roles,
   identities: COLLECT { MATCH (p)-[:KNOWN_AS]->(x:ExternalIdentity) RETURN x {.iss, .sub} }}"""

CONTACTS: LiteralString = """
COLLECT {
  CALL (p) {
    MATCH (p)-[k:KNOWS]->(x:Person)
    RETURN k.created_at AS at, k.id AS id,
           {id: k.id, kind: 'person', name: coalesce(k.name, x.display_name), email: k.email,
            organisation: k.organisation, title: k.title, relation: k.relation,
            context: k.context, since: toString(k.since),
            created_at: toString(k.created_at)} AS item
    UNION ALL
    MATCH (p)-[:HAS_CONTACT]->(c:Contact)
    RETURN c.created_at AS at, c.id AS id,
           {id: c.id, kind: 'card', name: c.name, email: c.email, organisation: c.organisation,
            title: c.title, relation: c.relation, context: c.context,
            since: toString(c.since), created_at: toString(c.created_at),
            origin_iss: c.origin_iss, origin_id: c.origin_id} AS item
  }
  RETURN item ORDER BY at, id
}"""


def _imported_records(kind: LiteralString) -> LiteralString:
    """The end of a record scope's subquery: the records of `kind` imported from other platforms
    (`ExternalRecord`: the item's JSON with its origin), after the person's own; the bundle
    builder parses them."""
    return (
        """
    UNION ALL
    MATCH (p)-[:HAS_EXTERNAL]->(e:ExternalRecord {kind: '"""
        + kind
        + """'})
    RETURN 1 AS rank, e.imported_at AS at, e.id AS id,
           {id: e.id, data: e.data, origin_iss: e.origin_iss, origin_id: e.origin_id} AS item
  }
  RETURN item ORDER BY rank, at, id
}"""
    )


MENTORSHIPS: LiteralString = """
COLLECT {
  CALL (p) {
    MATCH (p)-[r:MENTOR_IN|MENTEE_IN]->(x:Mentorship)
    MATCH (x)<-[:MENTOR_IN|MENTEE_IN]-(other:Person) WHERE other <> p
    MATCH (x)-[:IN_COHORT]->(c:Cohort)<-[:HAS_COHORT]-(g:Program)
    RETURN 0 AS rank, x.proposed_at AS at, x.id AS id,
           x {.id, .status, .goals, .end_reason, proposed_at: toString(x.proposed_at),
              started_at: toString(x.started_at), ended_at: toString(x.ended_at),
              role: CASE type(r) WHEN 'MENTOR_IN' THEN 'mentor' ELSE 'mentee' END,
              counterpart_id: other.id, cohort_id: c.id, program_id: g.id} AS item
  """ + _imported_records("mentorships")

SESSIONS: LiteralString = """
COLLECT {
  CALL (p) {
    MATCH (p)-[:MENTOR_IN|MENTEE_IN]->(x:Mentorship)-[:HAS_SESSION]->(s:Session)
    RETURN 0 AS rank, s.scheduled_at AS at, s.id AS id,
           s {.id, .status, .sentiment_pre, .sentiment_post, mentorship_id: x.id,
              scheduled_at: toString(s.scheduled_at), requested_at: toString(s.requested_at),
              responded_at: toString(s.responded_at)} AS item
  """ + _imported_records("sessions")

OUTCOMES: LiteralString = """
COLLECT {
  CALL (p) {
    MATCH (c:Cohort)-[:HAS_OUTCOME]->(o:Outcome)-[:HAS_MEASUREMENT]->(m:Measurement)-[:OF_PERSON]->(p)
    RETURN 0 AS rank, m.measured_at AS at, m.id AS id,
           {id: m.id, cohort_id: c.id, outcome_key: o.key, outcome_name: o.name, metric: o.metric,
            unit: o.unit, baseline: o.baseline, target: o.target, value: m.value,
            measured_at: toString(m.measured_at)} AS item
  """ + _imported_records("outcomes")

PREFERENCES: LiteralString = """
{discoverable: p.discoverable, choices: p.pref_choices, version: p.pref_version}"""

SCOPES: dict[str, LiteralString] = {
    "profile": PROFILE,
    "contacts": CONTACTS,
    "mentorships": MENTORSHIPS,
    "sessions": SESSIONS,
    "outcomes": OUTCOMES,
    "preferences": PREFERENCES,
}


def slice_query(scopes: Iterable[str], *, with_grant: bool = False) -> str:
    """One statement returning a column per requested scope (fragments from `SCOPES` only), and
    with `with_grant` a `grant` column: the person's newest active grant to `$audience`."""
    wanted = [scope for scope in SCOPES if scope in set(scopes)]
    columns = [f"{SCOPES[scope]} AS {scope}" for scope in wanted]
    if with_grant:
        columns.insert(0, f"{ACTIVE_GRANT_OF_P} AS grant")
    return "MATCH (p:Person {id: $id}) RETURN " + ", ".join(["p.id AS id", *columns])


async def _single(tx: AsyncManagedTransaction, query: str, **params: Any) -> Row | None:
    result = await tx.run(query, params)
    record = await result.single()
    # keys and values, not data(): the values are plain lists and maps already, and data() walks
    # every nested value again in Python
    return None if record is None else dict(zip(record.keys(), record.values(), strict=True))


async def read_slice(graph: Graph, person_id: str, scopes: Iterable[str]) -> dict[str, Any]:
    """The raw rows of each requested scope; NotFoundError when the person does not exist.

    One statement, one round trip. Timestamps and dates come back as ISO 8601 strings
    (`toString`), which the bundle models parse: the driver's own conversion of temporal
    values is pure Python and was the largest cost of an export (docs/performance.md).
    """
    query = slice_query(scopes)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        return await _single(tx, query, id=person_id)

    found = await graph.read(work)
    if found is None:
        raise NotFoundError(no_such("person", person_id))
    found.pop("id")
    return found


@dataclass(frozen=True)
class ExportRead:
    """What an export reads in its own transaction: the grant it would go under, and the slice."""

    grant: Row | None  # id, scopes, receipt of the newest active grant to the audience
    slice: dict[str, Any]


async def read_for_export(
    tx: AsyncManagedTransaction,
    person_id: str,
    scopes: Iterable[str],
    *,
    audience: str,
    now: datetime,
) -> ExportRead:
    """`read_slice` and `consents.active_grant` in one statement of the caller's transaction
    (the export's), so an export reads everything in one round trip."""
    found = await _single(
        tx, slice_query(scopes, with_grant=True), id=person_id, audience=audience, now=now
    )
    if found is None:
        raise NotFoundError(no_such("person", person_id))
    found.pop("id")
    grants = found.pop("grant")
    return ExportRead(grant=grants[0] if grants else None, slice=found)
