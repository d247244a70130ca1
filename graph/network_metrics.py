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

PEOPLE_AT: LiteralString = f"""
MATCH (p:Person) WHERE p.created_at < $end AND {_PEOPLE}
RETURN collect(p.id) AS ids
"""

EDGES_AT: LiteralString = f"""
MATCH (a:Person)-[k:KNOWS]->(b:Person)
WHERE k.created_at < $end AND a.created_at < $end AND b.created_at < $end AND {_ENDS}
RETURN collect([a.id, b.id]) AS edges
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
    """The people (ids) and `KNOWS` edges (id pairs, as recorded) that existed before `end`."""

    async def work(tx: AsyncManagedTransaction) -> tuple[list[str], list[tuple[str, str]]]:
        params = {"end": end, **await scope_params(tx, scope)}
        people = await fetch_one(tx, PEOPLE_AT, **params)
        edges = await fetch_one(tx, EDGES_AT, **params)
        assert people is not None
        assert edges is not None
        return people["ids"], [(a, b) for a, b in edges["edges"]]

    return await graph.read(work)
