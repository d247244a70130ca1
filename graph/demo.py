"""A small demo graph (one program, one cohort, a handful of people and contacts) for `make run`.

Loaded only into an empty database, in one transaction, with fixed ids so it is recognisable.
"""

from __future__ import annotations

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.db import Graph

DEMO_PEOPLE: list[dict[str, Any]] = [
    {
        "id": "demo-ada",
        "display_name": "Ada Mentor",
        "roles": ["mentor"],
        "capacity": 3,
        "skills": ["python", "graphs"],
        "languages": ["en"],
        "timezone": "Europe/London",
    },
    {
        "id": "demo-grace",
        "display_name": "Grace Mentor",
        "roles": ["mentor"],
        "capacity": 2,
        "skills": ["leadership", "product"],
        "languages": ["en", "es"],
        "timezone": "America/New_York",
    },
    {
        "id": "demo-linus",
        "display_name": "Linus Mentee",
        "roles": ["mentee"],
        "capacity": 0,
        "skills": ["c"],
        "languages": ["en", "fi"],
        "timezone": "Europe/Helsinki",
    },
    {
        "id": "demo-margaret",
        "display_name": "Margaret Mentee",
        "roles": ["mentee"],
        "capacity": 0,
        "skills": ["testing"],
        "languages": ["en"],
        "timezone": "America/Chicago",
    },
]
DEMO_CONTACTS: list[dict[str, str]] = [
    {"from": "demo-linus", "to": "demo-ada", "relation": "met-at-event"},
    {"from": "demo-margaret", "to": "demo-grace", "relation": "colleague"},
    {"from": "demo-ada", "to": "demo-grace", "relation": "peer"},
]


async def _load(tx: AsyncManagedTransaction) -> bool:
    record = await (await tx.run("MATCH (p:Person) RETURN count(p) AS people")).single()
    if record is not None and record["people"] > 0:
        return False
    await tx.run(
        """
        UNWIND $people AS row
        CREATE (p:Person {id: row.id})
        SET p += row, p.discoverable = true, p.created_at = datetime(), p.updated_at = datetime()
        """,
        people=DEMO_PEOPLE,
    )
    await tx.run(
        """
        UNWIND $contacts AS row
        MATCH (a:Person {id: row.from}), (b:Person {id: row.to})
        CREATE (a)-[:KNOWS {relation: row.relation, source: 'manual', since: date(), created_at: datetime()}]->(b)
        """,
        contacts=DEMO_CONTACTS,
    )
    await tx.run(
        """
        CREATE (prog:Program {id: 'demo-program', name: 'Demo Mentorship Program', created_at: datetime()})
        CREATE (prog)-[:HAS_COHORT]->(:Cohort {id: 'demo-cohort', name: 'Autumn cohort', created_at: datetime()})
        """
    )
    return True


async def load_demo_if_empty(graph: Graph) -> bool:
    """Load the demo graph unless people already exist; return whether it was loaded."""
    return await graph.write(_load)
