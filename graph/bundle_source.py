"""Read one person's slice of the graph for a bundle, scope by scope, in one read transaction.

Each scope reads an explicit list of properties — never `properties(n)` — so new fields never leak
into bundles by accident. Third parties appear only through what the person recorded about them
(contacts) or as opaque ids (mentorship counterparts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import NotFoundError, no_such
from graph.values import Row, fetch_all, fetch_one

PROFILE: LiteralString = """
MATCH (p:Person {id: $id})
OPTIONAL MATCH (p)-[:KNOWN_AS]->(x:ExternalIdentity)
WITH p, collect(x {.iss, .sub}) AS identities
RETURN p {.id, .display_name, .headline, .skills, .interests, .languages, .timezone, .roles,
          identities: identities} AS item
"""

CONTACTS: LiteralString = """
MATCH (o:Person {id: $id})
CALL (o) {
  MATCH (o)-[k:KNOWS]->(x:Person)
  RETURN {id: k.id, kind: 'person', name: coalesce(k.name, x.display_name), email: k.email,
          organisation: k.organisation, title: k.title, relation: k.relation, context: k.context,
          since: k.since, created_at: k.created_at} AS item
  UNION ALL
  MATCH (o)-[:HAS_CONTACT]->(c:Contact)
  RETURN {id: c.id, kind: 'card', name: c.name, email: c.email, organisation: c.organisation,
          title: c.title, relation: c.relation, context: c.context, since: c.since,
          created_at: c.created_at, origin_iss: c.origin_iss, origin_id: c.origin_id} AS item
}
RETURN item ORDER BY item.created_at, item.id
"""

MENTORSHIPS: LiteralString = """
MATCH (me:Person {id: $id})-[r:MENTOR_IN|MENTEE_IN]->(x:Mentorship)
MATCH (x)<-[:MENTOR_IN|MENTEE_IN]-(other:Person) WHERE other <> me
MATCH (x)-[:IN_COHORT]->(c:Cohort)<-[:HAS_COHORT]-(g:Program)
RETURN x {.id, .status, .goals, .proposed_at, .started_at, .ended_at, .end_reason,
          role: CASE type(r) WHEN 'MENTOR_IN' THEN 'mentor' ELSE 'mentee' END,
          counterpart_id: other.id, cohort_id: c.id, program_id: g.id} AS item
ORDER BY item.proposed_at, item.id
"""

SESSIONS: LiteralString = """
MATCH (:Person {id: $id})-[:MENTOR_IN|MENTEE_IN]->(x:Mentorship)-[:HAS_SESSION]->(s:Session)
RETURN s {.id, .status, .scheduled_at, .requested_at, .responded_at, .sentiment_pre, .sentiment_post,
          mentorship_id: x.id} AS item
ORDER BY item.scheduled_at, item.id
"""

OUTCOMES: LiteralString = """
MATCH (c:Cohort)-[:HAS_OUTCOME]->(o:Outcome)-[:HAS_MEASUREMENT]->(m:Measurement)-[:OF_PERSON]->(:Person {id: $id})
RETURN {id: m.id, cohort_id: c.id, outcome_key: o.key, outcome_name: o.name, metric: o.metric,
        unit: o.unit, baseline: o.baseline, target: o.target, value: m.value,
        measured_at: m.measured_at} AS item
ORDER BY item.measured_at, item.id
"""

PREFERENCES: LiteralString = """
MATCH (p:Person {id: $id})
RETURN {discoverable: p.discoverable, choices: p.pref_choices, version: p.pref_version} AS item
"""

LISTS: dict[str, LiteralString] = {
    "contacts": CONTACTS,
    "mentorships": MENTORSHIPS,
    "sessions": SESSIONS,
    "outcomes": OUTCOMES,
}


async def read_slice(graph: Graph, person_id: str, scopes: Iterable[str]) -> dict[str, Any]:
    """The raw rows of each requested scope; NotFoundError when the person does not exist."""
    wanted = set(scopes)

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        profile = await fetch_one(tx, PROFILE, id=person_id)
        if profile is None:
            raise NotFoundError(no_such("person", person_id))
        found: dict[str, Any] = {}
        if "profile" in wanted:
            found["profile"] = profile["item"]
        for scope, cypher in LISTS.items():
            if scope in wanted:
                found[scope] = [row["item"] for row in await fetch_all(tx, cypher, id=person_id)]
        if "preferences" in wanted:
            row: Row | None = await fetch_one(tx, PREFERENCES, id=person_id)
            found["preferences"] = row["item"] if row else None
        return found

    return await graph.read(work)
