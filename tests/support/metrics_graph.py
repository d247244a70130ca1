"""Hand-built graphs for the metrics and matching tests, written straight in Neo4j in the shape
`graph/` writes them (same labels, relationships and properties), with every timestamp chosen by
the test so the expected figures can be worked out by hand.

Weeks of early 2026 (UTC), for reading the tests: W01 starts Mon 2025-12-29, W02 Mon 2026-01-05,
W03 Mon 2026-01-12, W04 Mon 2026-01-19.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.db import Graph

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def at(day: str, clock: str = "10:00") -> datetime:
    """`at("2026-01-05", "09:30")` → that UTC instant."""
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


async def program(
    graph: Graph,
    program_id: str = "prg_a",
    cohort_id: str = "coh_a",
    *,
    program_name: str = "Program A",
    cohort_name: str = "Cohort A",
) -> None:
    await graph.query(
        """
        MERGE (g:Program {id: $program})
          ON CREATE SET g.name = $program_name, g.created_at = $long_ago
        CREATE (g)-[:HAS_COHORT]->(:Cohort {id: $cohort, name: $cohort_name,
                                            created_at: $long_ago})
        """,
        {
            "program": program_id,
            "cohort": cohort_id,
            "program_name": program_name,
            "cohort_name": cohort_name,
            "long_ago": LONG_AGO,
        },
        write=True,
    )


async def person(
    graph: Graph,
    person_id: str,
    *,
    roles: Sequence[str] = ("mentee",),
    cohorts: Sequence[str] = (),
    created_at: datetime = LONG_AGO,
    **props: Any,
) -> None:
    values = {
        "display_name": person_id,
        "skills": [],
        "interests": [],
        "languages": ["en"],
        "capacity": 0,
        "discoverable": False,
        **props,
    }
    await graph.query(
        """
        CREATE (p:Person {id: $id})
        SET p += $values, p.roles = $roles, p.created_at = $created_at,
            p.updated_at = $created_at
        WITH p
        UNWIND $cohorts AS cohort
        MATCH (c:Cohort {id: cohort})
        CREATE (p)-[:MEMBER_OF {since: $created_at}]->(c)
        """,
        {
            "id": person_id,
            "values": values,
            "roles": list(roles),
            "cohorts": list(cohorts),
            "created_at": created_at,
        },
        write=True,
    )


async def mentor(graph: Graph, person_id: str, *, capacity: int = 3, **props: Any) -> None:
    await person(graph, person_id, roles=("mentor",), capacity=capacity, **props)


async def knows(graph: Graph, owner: str, other: str, created_at: datetime = LONG_AGO) -> None:
    await graph.query(
        """
        MATCH (a:Person {id: $a}), (b:Person {id: $b})
        CREATE (a)-[:KNOWS {id: 'ctc_' + $a + '_' + $b, relation: 'peer', source: 'manual',
                            created_at: $at}]->(b)
        """,
        {"a": owner, "b": other, "at": created_at},
        write=True,
    )


async def mentorship(
    graph: Graph,
    mentorship_id: str,
    mentor_id: str,
    mentee_id: str,
    cohort_id: str = "coh_a",
    *,
    status: str = "active",
    proposed_at: datetime | None = None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    goals: Sequence[str] = ("grow",),
) -> None:
    """A mentorship node; `proposed_at` defaults to a day before `started_at` (or LONG_AGO)."""
    if proposed_at is None:
        proposed_at = started_at - timedelta(days=1) if started_at else LONG_AGO
    await graph.query(
        """
        MATCH (mentor {id: $mentor}), (mentee {id: $mentee}), (c:Cohort {id: $cohort})
        CREATE (x:Mentorship {id: $id, status: $status, goals: $goals, proposed_by: 'mentee',
                              proposed_at: $proposed_at, started_at: $started_at,
                              ended_at: $ended_at, updated_at: $proposed_at})
        CREATE (mentor)-[:MENTOR_IN]->(x), (mentee)-[:MENTEE_IN]->(x), (x)-[:IN_COHORT]->(c)
        MERGE (mentor)-[a:MEMBER_OF]->(c) ON CREATE SET a.since = $proposed_at
        MERGE (mentee)-[b:MEMBER_OF]->(c) ON CREATE SET b.since = $proposed_at
        """,
        {
            "id": mentorship_id,
            "mentor": mentor_id,
            "mentee": mentee_id,
            "cohort": cohort_id,
            "status": status,
            "goals": list(goals),
            "proposed_at": proposed_at,
            "started_at": started_at,
            "ended_at": ended_at,
        },
        write=True,
    )


SESSION_KEYS = (
    "status",
    "scheduled_at",
    "requested_at",
    "responded_at",
    "sentiment_pre",
    "sentiment_post",
    "completed_at",
    "cancelled_at",
)


def session(status: str, scheduled_at: datetime, **fields: Any) -> dict[str, Any]:
    """A session row; a cancelled one defaults to being cancelled two days before."""
    if status == "cancelled":
        fields.setdefault("cancelled_at", scheduled_at - timedelta(days=2))
    if status == "completed":
        fields.setdefault("completed_at", scheduled_at + timedelta(hours=1))
    unknown = set(fields) - set(SESSION_KEYS)
    if unknown:
        raise ValueError(f"not session fields: {sorted(unknown)}")
    return {"status": status, "scheduled_at": scheduled_at, **fields}


async def sessions(graph: Graph, mentorship_id: str, rows: Sequence[dict[str, Any]]) -> None:
    await graph.query(
        """
        MATCH (x:Mentorship {id: $mentorship})
        UNWIND range(0, size($rows) - 1) AS i
        WITH x, i, $rows[i] AS row
        CREATE (x)-[:HAS_SESSION]->(s:Session {id: $mentorship + '_s' + toString(i)})
        SET s += row, s.created_at = row.scheduled_at - duration({days: 7}),
            s.updated_at = row.scheduled_at
        """,
        {"mentorship": mentorship_id, "rows": [dict(row) for row in rows]},
        write=True,
    )


async def export(
    graph: Graph, export_id: str, person_id: str, audience: str, moment: datetime
) -> None:
    await graph.query(
        """
        MATCH (p:Person {id: $person})
        CREATE (e:Export {id: $id, audience: $audience, scopes: ['profile'], at: $at,
                          actor: $person, actor_role: 'mentee', size_bytes: 1000})-[:OF]->(p)
        """,
        {"id": export_id, "person": person_id, "audience": audience, "at": moment},
        write=True,
    )


async def import_record(
    graph: Graph,
    import_id: str,
    status: str,
    platform_id: str | None,
    moment: datetime,
    person_id: str | None = None,
) -> None:
    """An `(:Import)` in the shape the importer writes: `person_id` and a `FOR` edge to the
    person it landed on (applied ones)."""
    await graph.query(
        """
        CREATE (i:Import {id: $id, at: $at, status: $status, platform_id: $platform,
                          person_id: $person})
        WITH i
        OPTIONAL MATCH (p:Person {id: $person})
        FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (i)-[:FOR]->(p))
        """,
        {
            "id": import_id,
            "at": moment,
            "status": status,
            "platform": platform_id,
            "person": person_id,
        },
        write=True,
    )
