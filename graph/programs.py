"""Programs, their cohorts, each cohort's 3-5 outcomes, and measurements of progress on them.

`(:Program)-[:HAS_COHORT]->(:Cohort)-[:HAS_OUTCOME]->(:Outcome {key, …})`, and
`(:Outcome)-[:HAS_MEASUREMENT]->(:Measurement)-[:OF_PERSON]->(:Person)`. People become cohort
members (`(:Person)-[:MEMBER_OF]->(:Cohort)`) by enrolment or through a mentorship in the cohort.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import InvalidError, NotFoundError, no_such
from graph.ids import new_id
from graph.pagination import PageRequest, RowPage, after_clause, read_page
from graph.values import Row, fetch_map, fetch_one, read_map, utc_now

MIN_OUTCOMES, MAX_OUTCOMES = 3, 5
PROGRAM = "g {.id, .name, .description, .created_at}"
OUTCOME_FIELDS = ("key", "name", "metric", "baseline", "target", "unit", "due_date")
COHORT = """c {.id, .name, .starts_on, .ends_on, .created_at, program_id: g.id,
    outcomes: COLLECT { MATCH (c)-[:HAS_OUTCOME]->(o:Outcome) WITH o ORDER BY o.position
                        RETURN o {.key, .name, .metric, .baseline, .target, .unit, .due_date} }}"""
MEASUREMENT = """{id: m.id, cohort_id: c.id, outcome_key: o.key, person_id: p.id, value: m.value,
    measured_at: m.measured_at, recorded_at: m.recorded_at}"""


async def create_program(
    graph: Graph, name: str, description: str | None = None, *, now: datetime | None = None
) -> Row:
    async def work(tx: AsyncManagedTransaction) -> Row:
        program = await fetch_map(
            tx,
            f"""
            CREATE (g:Program {{id: $id, name: $name, description: $description, created_at: $now}})
            RETURN {PROGRAM} AS program
            """,
            "program",
            id=new_id("prg"),
            name=name,
            description=description,
            now=now or utc_now(),
        )
        assert program is not None
        return program

    return await graph.write(work)


async def get_program(graph: Graph, program_id: str) -> Row | None:
    return await read_map(
        graph,
        f"MATCH (g:Program {{id: $id}}) RETURN {PROGRAM} AS program",
        "program",
        id=program_id,
    )


async def list_programs(
    graph: Graph, page: PageRequest, *, within: frozenset[str] | None = None
) -> RowPage:
    """Programs oldest first; `within` (None = all) keeps only those ids."""

    return await read_page(
        graph,
        f"""
        MATCH (g:Program)
        WHERE ($within IS NULL OR g.id IN $within) AND {after_clause("g.created_at", "g.id")}
        RETURN {PROGRAM} AS program ORDER BY g.created_at, g.id LIMIT $fetch
        """,
        "program",
        page,
        within=sorted(within) if within is not None else None,
    )


async def create_cohort(
    graph: Graph,
    program_id: str,
    fields: Mapping[str, Any],
    outcomes: Sequence[Mapping[str, Any]],
    *,
    now: datetime | None = None,
) -> Row:
    """Create a cohort with its outcomes (3-5, distinct keys) in one transaction."""
    keys = [outcome["key"] for outcome in outcomes]
    if not MIN_OUTCOMES <= len(outcomes) <= MAX_OUTCOMES or len(set(keys)) != len(keys):
        raise InvalidError(
            f"A cohort needs {MIN_OUTCOMES}-{MAX_OUTCOMES} outcomes with distinct keys."
        )
    rows = [
        {**{name: outcome.get(name) for name in OUTCOME_FIELDS}, "id": new_id("out"), "position": i}
        for i, outcome in enumerate(outcomes)
    ]
    values = {name: fields.get(name) for name in ("name", "starts_on", "ends_on")}

    async def work(tx: AsyncManagedTransaction) -> Row:
        cohort = await fetch_map(
            tx,
            f"""
            MATCH (g:Program {{id: $program}})
            CREATE (g)-[:HAS_COHORT]->(c:Cohort {{id: $id}})
            SET c += $fields, c.created_at = $now
            WITH g, c
            CALL (c) {{
              UNWIND $outcomes AS outcome
              CREATE (c)-[:HAS_OUTCOME]->(o:Outcome)
              SET o = outcome
            }}
            RETURN {COHORT} AS cohort
            """,
            "cohort",
            program=program_id,
            id=new_id("coh"),
            fields=values,
            outcomes=rows,
            now=now or utc_now(),
        )
        if cohort is None:
            raise NotFoundError(no_such("program", program_id))
        return cohort

    return await graph.write(work)


async def get_cohort(graph: Graph, cohort_id: str) -> Row | None:
    return await read_map(
        graph,
        f"MATCH (g:Program)-[:HAS_COHORT]->(c:Cohort {{id: $id}}) RETURN {COHORT} AS cohort",
        "cohort",
        id=cohort_id,
    )


async def list_cohorts(graph: Graph, program_id: str, page: PageRequest) -> RowPage:
    return await read_page(
        graph,
        f"""
        MATCH (g:Program {{id: $program}})-[:HAS_COHORT]->(c:Cohort)
        WHERE {after_clause("c.created_at", "c.id")}
        RETURN {COHORT} AS cohort ORDER BY c.created_at, c.id LIMIT $fetch
        """,
        "cohort",
        page,
        program=program_id,
    )


async def is_member(graph: Graph, person_id: str, cohort_id: str) -> bool:
    rows = await graph.query(
        "MATCH (:Person {id: $person})-[:MEMBER_OF]->(c:Cohort {id: $cohort}) RETURN c.id AS id",
        {"person": person_id, "cohort": cohort_id},
    )
    return bool(rows)


async def record_measurement(
    graph: Graph,
    cohort_id: str,
    key: str,
    person_id: str,
    value: float,
    measured_at: datetime,
    *,
    now: datetime | None = None,
) -> Row:
    """Record `value` for outcome `key` of the cohort, measured on a member of the cohort."""

    async def work(tx: AsyncManagedTransaction) -> Row:
        found = await fetch_one(
            tx,
            """
            MATCH (c:Cohort {id: $cohort})
            OPTIONAL MATCH (c)-[:HAS_OUTCOME]->(o:Outcome {key: $key})
            RETURN o IS NOT NULL AS has_outcome,
                   EXISTS { (:Person {id: $person})-[:MEMBER_OF]->(c) } AS member
            """,
            cohort=cohort_id,
            key=key,
            person=person_id,
        )
        if found is None:
            raise NotFoundError(no_such("cohort", cohort_id))
        if not found["has_outcome"]:
            raise NotFoundError(f"Cohort {cohort_id!r} has no outcome with key {key!r}.")
        if not found["member"]:
            raise InvalidError(f"Person {person_id!r} is not a member of cohort {cohort_id!r}.")
        measurement = await fetch_map(
            tx,
            f"""
            MATCH (c:Cohort {{id: $cohort}})-[:HAS_OUTCOME]->(o:Outcome {{key: $key}}),
                  (p:Person {{id: $person}})
            CREATE (o)-[:HAS_MEASUREMENT]->(m:Measurement {{id: $id, value: $value,
                    measured_at: $measured_at, recorded_at: $now}})-[:OF_PERSON]->(p)
            RETURN {MEASUREMENT} AS measurement
            """,
            "measurement",
            cohort=cohort_id,
            key=key,
            person=person_id,
            id=new_id("msr"),
            value=value,
            measured_at=measured_at,
            now=now or utc_now(),
        )
        assert measurement is not None
        return measurement

    return await graph.write(work)


async def in_program_of(graph: Graph, person_id: str, cohort_id: str) -> bool:
    """Whether the person is a member of some cohort of the program `cohort_id` belongs to."""
    rows = await graph.query(
        """
        MATCH (:Person {id: $person})-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(g:Program)
        WHERE (g)-[:HAS_COHORT]->(:Cohort {id: $cohort})
        RETURN g.id AS id LIMIT 1
        """,
        {"person": person_id, "cohort": cohort_id},
    )
    return bool(rows)


async def enrol(graph: Graph, person_id: str, cohort_id: str) -> None:
    """Enrol a person in a cohort (what an admin of its program does; idempotent)."""
    await graph.query(
        """
        MATCH (p:Person {id: $person}), (c:Cohort {id: $cohort})
        MERGE (p)-[m:MEMBER_OF]->(c) ON CREATE SET m.since = datetime()
        """,
        {"person": person_id, "cohort": cohort_id},
        write=True,
    )
