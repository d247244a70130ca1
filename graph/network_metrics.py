"""The queries behind network growth: weekly new people, contacts and mentorships, and the contact
graph as it stood at the end of the range (ids only) for degrees, components and 2-hop reach.

- people: `(:Person)` by `created_at` (erased people leave the count);
- contacts: `KNOWS` relationships by `created_at`, between two people in scope;
- mentorships: by `started_at` (a mentorship joins the network when it is accepted).

With a program filter, people are the program's members today and contacts the `KNOWS` between
two of them. Each week is one range seek on an indexed timestamp; the counts before the range
come from one more seek each, so cumulative totals need no scan. Definitions: docs/metrics.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.scope import Scope, mentorship_in_scope, person_in_scope, scope_params
from graph.values import Row, fetch_all, fetch_one

_PEOPLE = person_in_scope("p")
_ENDS = f"{person_in_scope('a')} AND {person_in_scope('b')}"
_MENTORSHIP = mentorship_in_scope("x")

GROWTH: LiteralString = f"""
UNWIND $weeks AS w
CALL (w) {{
  MATCH (p:Person) WHERE p.created_at >= w.start AND p.created_at < w.end AND {_PEOPLE}
  RETURN count(p) AS new_people
}}
CALL (w) {{
  MATCH (a:Person)-[k:KNOWS]->(b:Person)
  WHERE k.created_at >= w.start AND k.created_at < w.end AND {_ENDS}
  RETURN count(k) AS new_contacts
}}
CALL (w) {{
  MATCH (x:Mentorship) WHERE x.started_at >= w.start AND x.started_at < w.end AND {_MENTORSHIP}
  RETURN count(x) AS new_mentorships
}}
RETURN w.key AS week, new_people, new_contacts, new_mentorships
"""

BEFORE: LiteralString = f"""
CALL () {{
  MATCH (p:Person) WHERE p.created_at < $start AND {_PEOPLE}
  RETURN count(p) AS people
}}
CALL () {{
  MATCH (a:Person)-[k:KNOWS]->(b:Person) WHERE k.created_at < $start AND {_ENDS}
  RETURN count(k) AS contacts
}}
CALL () {{
  MATCH (x:Mentorship) WHERE x.started_at < $start AND {_MENTORSHIP}
  RETURN count(x) AS mentorships
}}
RETURN people, contacts, mentorships
"""

# The contact graph at `$end` in one pass over the people in scope: each person's id and element
# id with the element ids of the people their `KNOWS` (created before `$end`) point to. An edge
# counts when its far end is one of these people too, which `contact_graph` checks in memory, so
# neither end's properties or labels are read per edge (the far end was read as a person).
CONTACT_GRAPH: LiteralString = f"""
MATCH (p:Person) WHERE p.created_at < $end AND {_PEOPLE}
WITH p, COLLECT {{ MATCH (p)-[k:KNOWS]->(b) WHERE k.created_at < $end RETURN elementId(b) }} AS out
RETURN collect([elementId(p), p.id, out]) AS people
"""


async def growth(graph: Graph, weeks: list[dict[str, Any]], scope: Scope) -> tuple[list[Row], Row]:
    """Per week (in order): new people, contacts and mentorships; and the totals before the
    first week (`people`, `contacts`, `mentorships`)."""

    async def work(tx: AsyncManagedTransaction) -> tuple[list[Row], Row]:
        params = {"weeks": weeks, "start": weeks[0]["start"], **await scope_params(tx, scope)}
        rows = await fetch_all(tx, GROWTH, **params)
        before = await fetch_one(tx, BEFORE, **params)
        assert before is not None
        return rows, before

    return await graph.read(work)


async def contact_graph(
    graph: Graph, end: datetime, scope: Scope
) -> tuple[list[str], list[tuple[str, str]]]:
    """The people in scope (ids) created before `end` and the `KNOWS` edges (id pairs, as
    recorded) created before `end` between two of them."""

    async def work(tx: AsyncManagedTransaction) -> tuple[list[str], list[tuple[str, str]]]:
        found = await fetch_one(tx, CONTACT_GRAPH, end=end, **await scope_params(tx, scope))
        assert found is not None
        ids = {element: person_id for element, person_id, _ in found["people"]}
        edges = [
            (person_id, ids[other])
            for _, person_id, out in found["people"]
            for other in out
            if other in ids
        ]
        return list(ids.values()), edges

    return await graph.read(work)
