"""Mentor candidates for a mentee, and the mentee's exclusions.

`(:Person)-[:EXCLUDES {created_at}]->(:Person)`: a person never wants to be matched with the
other (a mentee excluding a mentor; it is honoured in both directions).

`match_facts` reads, in one read transaction, the mentee, every mentor who passes the hard
filters — discoverable, the `mentor` role, capacity left (more than their live mentorships:
proposed, active or paused), no exclusion either way, no live mentorship with the mentee, not the
mentee themself, a member of the cohort asked for — with what scoring needs (skills, languages,
time zone, shared cohorts and programs), and the shared contacts between the mentee and each of
them in one pass over the mentee's 2-hop neighbourhood. Scoring is `app/analytics/matching.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import InvalidError
from graph.mentorships import LIVE
from graph.values import Row, fetch_all, fetch_one, utc_now

MENTEE: LiteralString = """
MATCH (me:Person {id: $person})
RETURN me.id AS person_id, coalesce(me.roles, []) AS roles,
       coalesce(me.interests, []) AS interests, coalesce(me.languages, []) AS languages,
       me.timezone AS timezone,
       COLLECT { MATCH (me)-[:MENTEE_IN]->(x:Mentorship) UNWIND coalesce(x.goals, []) AS goal
                 RETURN goal } AS goals
"""

# The mentee's exclusions and live mentors are collected once; each candidate's live mentorships
# are counted from its own relationships (a pattern comprehension), never through the
# `Mentorship.status` index, which would visit every mentorship once per candidate.
CANDIDATES: LiteralString = """
MATCH (me:Person {id: $person})
WITH me,
     COLLECT { MATCH (me)-[:EXCLUDES]-(other:Person) RETURN other.id } AS excluded,
     COLLECT { MATCH (me)-[:MENTEE_IN]->(x:Mentorship)<-[:MENTOR_IN]-(m:Person)
               WHERE x.status IN $live RETURN m.id } AS mentors,
     COLLECT { MATCH (me)-[:MEMBER_OF]->(c:Cohort) RETURN c.id } AS my_cohorts,
     COLLECT { MATCH (me)-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(g:Program)
               RETURN DISTINCT g.id } AS my_programs
MATCH (p:Person {discoverable: true})
WHERE 'mentor' IN p.roles AND p <> me AND NOT p.id IN excluded AND NOT p.id IN mentors
  AND ($cohort IS NULL OR EXISTS { (p)-[:MEMBER_OF]->(:Cohort {id: $cohort}) })
WITH p, my_cohorts, my_programs,
     coalesce(p.capacity, 0)
       - size([(p)-[:MENTOR_IN]->(x:Mentorship) WHERE x.status IN $live | x]) AS room
WHERE room > 0
RETURN p.id AS person_id, p.display_name AS display_name, coalesce(p.skills, []) AS skills,
       coalesce(p.languages, []) AS languages, p.timezone AS timezone, room AS capacity_left,
       COLLECT { MATCH (p)-[:MEMBER_OF]->(c:Cohort) WHERE c.id IN my_cohorts
                 RETURN DISTINCT c.name } AS shared_cohorts,
       COLLECT { MATCH (p)-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(g:Program)
                 WHERE g.id IN my_programs RETURN DISTINCT g.name } AS shared_programs
"""

SHARED_CONTACTS: LiteralString = """
MATCH (me:Person {id: $person})-[:KNOWS]-(n:Person)-[:KNOWS]-(p:Person)
WHERE p <> me AND p.id IN $candidates
WITH p, collect(DISTINCT n) AS shared
RETURN p.id AS person_id, size(shared) AS shared_contacts,
       [n IN shared WHERE n.discoverable = true | n.display_name] AS named_contacts
"""


async def match_facts(
    graph: Graph, person_id: str, *, cohort_id: str | None = None
) -> tuple[Row | None, list[Row]]:
    """The mentee (None when absent) and the mentors who pass the hard filters, each with
    `shared_contacts` (a count) and `named_contacts` (display names of the discoverable ones)."""

    async def work(tx: AsyncManagedTransaction) -> tuple[Row | None, list[Row]]:
        mentee = await fetch_one(tx, MENTEE, person=person_id)
        if mentee is None:
            return None, []
        candidates = await fetch_all(
            tx, CANDIDATES, person=person_id, cohort=cohort_id, live=sorted(LIVE)
        )
        shared = {
            row["person_id"]: row
            for row in await fetch_all(
                tx,
                SHARED_CONTACTS,
                person=person_id,
                candidates=[row["person_id"] for row in candidates],
            )
        }
        for row in candidates:
            found = shared.get(row["person_id"], {})
            row["shared_contacts"] = found.get("shared_contacts", 0)
            row["named_contacts"] = found.get("named_contacts", [])
        return mentee, candidates

    return await graph.read(work)


async def add_exclusion(
    graph: Graph, person_id: str, other_id: str, *, now: datetime | None = None
) -> None:
    """`person_id` excludes `other_id` from their matches (idempotent)."""
    if person_id == other_id:
        raise InvalidError("A person cannot exclude themself.")
    await graph.query(
        """
        MATCH (me:Person {id: $person}), (other:Person {id: $other})
        MERGE (me)-[e:EXCLUDES]->(other) ON CREATE SET e.created_at = $now
        """,
        {"person": person_id, "other": other_id, "now": now or utc_now()},
        write=True,
    )


async def remove_exclusion(graph: Graph, person_id: str, other_id: str) -> None:
    """Undo an exclusion (nothing happens when there is none)."""
    await graph.query(
        "MATCH (:Person {id: $person})-[e:EXCLUDES]->(:Person {id: $other}) DELETE e",
        {"person": person_id, "other": other_id},
        write=True,
    )


async def exclusions(graph: Graph, person_id: str) -> list[Row]:
    """Whom the person excluded, oldest first."""
    return await graph.query(
        """
        MATCH (:Person {id: $person})-[e:EXCLUDES]->(other:Person)
        RETURN other.id AS person_id, e.created_at AS created_at
        ORDER BY e.created_at, other.id
        """,
        {"person": person_id},
    )
