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

# What the mentee brings: collected once, then every candidate is checked against these lists.
_MINE: LiteralString = """
MATCH (me:Person {id: $person})
WITH me,
     COLLECT { MATCH (me)-[:EXCLUDES]-(other:Person) RETURN other.id } AS excluded,
     COLLECT { MATCH (me)-[:MENTEE_IN]->(x:Mentorship)<-[:MENTOR_IN]-(m:Person)
               WHERE x.status IN $live RETURN m.id } AS mentors,
     COLLECT { MATCH (me)-[:MEMBER_OF]->(c:Cohort) RETURN c.id } AS my_cohorts,
     COLLECT { MATCH (me)-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(g:Program)
               RETURN DISTINCT g.id } AS my_programs
"""

# The hard filters and the facts scoring needs, per candidate `p`. Each candidate's live
# mentorships are counted from its own relationships (a pattern comprehension), never through
# the `Mentorship.status` index, which would visit every mentorship once per candidate.
_FACTS: LiteralString = """
WITH DISTINCT me, p, excluded, mentors, my_cohorts, my_programs
WHERE p.discoverable = true AND 'mentor' IN p.roles AND p <> me
  AND NOT p.id IN excluded AND NOT p.id IN mentors
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

# Every discoverable mentor of the graph (linear in mentors): the exact answer, used when the
# bounded pool cannot be shown to hold the best suggestions (see `app/analytics/matching.py`).
CANDIDATES: LiteralString = (
    _MINE
    + """
MATCH (p:Person {discoverable: true})
WHERE 'mentor' IN p.roles
"""
    + _FACTS
)

# The bounded pool: mentors who share something scored with the mentee, each source capped.
# - skills: the full-text index over `skills` and `roles` (`$skills_query`, built by
#   `skills_query`), the `$per_source` best by its relevance (more wants matched ranks higher);
# - cohorts and programs: discoverable mentors in the mentee's cohorts, then in their programs;
# - contacts: discoverable mentors two `KNOWS` hops away;
# - with `$cohort`: that cohort's members, all of them (the must-have bounds the answer).
POOL: LiteralString = (
    _MINE
    + """
CALL (me, my_cohorts, my_programs) {
  WITH me WHERE $cohort IS NULL AND $skills_query IS NOT NULL
  CALL db.index.fulltext.queryNodes('person_skills_roles_fulltext', $skills_query,
                                    {limit: $per_source}) YIELD node
  RETURN node AS p
UNION
  WITH me WHERE $cohort IS NULL
  MATCH (me)-[:MEMBER_OF]->(:Cohort)<-[:MEMBER_OF]-(p:Person {discoverable: true})
  WHERE 'mentor' IN p.roles
  RETURN DISTINCT p LIMIT $per_source
UNION
  WITH me, my_programs WHERE $cohort IS NULL AND my_programs <> []
  MATCH (g:Program)-[:HAS_COHORT]->(:Cohort)<-[:MEMBER_OF]-(p:Person {discoverable: true})
  WHERE g.id IN my_programs AND 'mentor' IN p.roles
  RETURN DISTINCT p LIMIT $per_source
UNION
  WITH me WHERE $cohort IS NULL
  MATCH (me)-[:KNOWS]-(:Person)-[:KNOWS]-(p:Person {discoverable: true})
  WHERE 'mentor' IN p.roles
  RETURN DISTINCT p LIMIT $per_source
UNION
  WITH me WHERE $cohort IS NOT NULL
  MATCH (:Cohort {id: $cohort})<-[:MEMBER_OF]-(p:Person)
  RETURN p
}
"""
    + _FACTS
)

# How many mentors each source of the pool gives at most.
PER_SOURCE = 300

_LUCENE_SPECIAL = '\\"'


def skills_query(wants: list[str]) -> str | None:
    """The full-text query for mentors listing any of `wants` as a skill: each want a phrase in
    `skills`, and `mentor` in `roles`; None when no want has a letter or digit to search for."""
    phrases = []
    for want in sorted(set(wants)):
        if not any(ch.isalnum() for ch in want):
            continue
        escaped = "".join(f"\\{ch}" if ch in _LUCENE_SPECIAL else ch for ch in want)
        phrases.append(f'skills:"{escaped}"')
    if not phrases:
        return None
    return f"+roles:mentor +({' '.join(phrases)})"


SHARED_CONTACTS: LiteralString = """
MATCH (me:Person {id: $person})-[:KNOWS]-(n:Person)-[:KNOWS]-(p:Person)
WHERE p <> me AND p.id IN $candidates
WITH p, collect(DISTINCT n) AS shared
RETURN p.id AS person_id, size(shared) AS shared_contacts,
       [n IN shared WHERE n.discoverable = true | n.display_name] AS named_contacts
"""


async def match_facts(
    graph: Graph, person_id: str, *, cohort_id: str | None = None, bounded: bool = False
) -> tuple[Row | None, list[Row]]:
    """The mentee (None when absent) and the mentors who pass the hard filters, each with
    `shared_contacts` (a count) and `named_contacts` (display names of the discoverable ones).

    `bounded`: only the mentors of the pool (`POOL`), not every discoverable mentor."""

    async def work(tx: AsyncManagedTransaction) -> tuple[Row | None, list[Row]]:
        mentee = await fetch_one(tx, MENTEE, person=person_id)
        if mentee is None:
            return None, []
        params = {"person": person_id, "cohort": cohort_id, "live": sorted(LIVE)}
        if bounded:
            wanted = [*mentee["interests"], *mentee["goals"]]
            candidates = await fetch_all(
                tx, POOL, **params, skills_query=skills_query(wanted), per_source=PER_SOURCE
            )
        else:
            candidates = await fetch_all(tx, CANDIDATES, **params)
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
