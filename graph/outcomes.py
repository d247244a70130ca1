"""Outcome attainment of a cohort: each outcome with its cohort's mentees and the latest
measurement of each.

Mentees are the cohort's members (`MEMBER_OF`) with the `mentee` role, erased ones included (their
anonymous tombstones keep memberships and measurements, so attainment does not change when
someone is erased). One query per cohort; whether a value reaches the target is decided in
`app/analytics/outcomes.py`.
"""

from __future__ import annotations

from typing import LiteralString

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.values import Row, fetch_all

OUTCOMES: LiteralString = """
MATCH (c:Cohort {id: $cohort})-[:HAS_OUTCOME]->(o:Outcome)
WITH c, o ORDER BY o.position
RETURN o {.key, .name, .metric, .unit, .baseline, .target, .due_date} AS outcome,
       COUNT { (m)-[:MEMBER_OF]->(c) WHERE (m:Person OR m:ErasedPerson) AND 'mentee' IN m.roles }
         AS mentees,
       COLLECT {
         MATCH (o)-[:HAS_MEASUREMENT]->(ms:Measurement)-[:OF_PERSON]->(p)-[:MEMBER_OF]->(c)
         WHERE (p:Person OR p:ErasedPerson) AND 'mentee' IN p.roles
         WITH p, ms ORDER BY ms.measured_at DESC, ms.recorded_at DESC, ms.id DESC
         WITH p, collect(ms)[0] AS last
         WITH p, last ORDER BY p.id
         RETURN {person_id: p.id, value: last.value, measured_at: last.measured_at}
       } AS latest
"""


async def cohort_outcomes(graph: Graph, cohort_id: str) -> list[Row]:
    """Per outcome of the cohort (in their defined order): its definition, how many mentees the
    cohort has, and each measured mentee's latest measurement (by person id)."""

    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        return await fetch_all(tx, OUTCOMES, cohort=cohort_id)

    return await graph.read(work)
