"""A small demo graph for `make run`: one program and cohort (with its outcomes), five people, their
contacts, two mentorships (one active with sessions, one proposed) and a measurement, plus a
community of people outside the program whom the mentors know (Ada 20+ contacts, Grace 10+), so
the dashboard's degree histogram shows its wider buckets (10-19, 20-49).

Loaded only into an empty database, in one transaction, with fixed ids so it is recognisable. It
follows the model of the graph modules (see docs/graph-model.md), so every API route reads it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.values import execute, fetch_one, utc_now

DEMO_PROGRAM = "demo-program"
DEMO_COHORT = "demo-cohort"
DEMO_PEOPLE: list[dict[str, Any]] = [
    {
        "id": "demo-ada",
        "display_name": "Ada Mentor",
        "headline": "Staff engineer, graph databases",
        "roles": ["mentor"],
        "capacity": 3,
        "skills": ["python", "graphs"],
        "interests": ["teaching"],
        "languages": ["en"],
        "timezone": "Europe/London",
    },
    {
        "id": "demo-grace",
        "display_name": "Grace Mentor",
        "headline": "Product director",
        "roles": ["mentor"],
        "capacity": 2,
        "skills": ["leadership", "product"],
        "interests": ["hiring"],
        "languages": ["en", "es"],
        "timezone": "America/New_York",
    },
    {
        "id": "demo-linus",
        "display_name": "Linus Mentee",
        "headline": "Junior developer",
        "roles": ["mentee"],
        "capacity": 0,
        "skills": ["c"],
        "interests": ["graphs", "leadership"],
        "languages": ["en", "fi"],
        "timezone": "Europe/Helsinki",
    },
    {
        "id": "demo-margaret",
        "display_name": "Margaret Mentee",
        "headline": "QA engineer",
        "roles": ["mentee"],
        "capacity": 0,
        "skills": ["testing"],
        "interests": ["product"],
        "languages": ["en"],
        "timezone": "America/Chicago",
    },
    {
        "id": "demo-ava",
        "display_name": "Ava Mentee",
        "headline": "Data analyst moving into engineering",
        "roles": ["mentee"],
        "capacity": 0,
        "skills": ["sql", "python"],
        "interests": ["graphs"],
        "languages": ["en", "fr"],
        "timezone": "Europe/Paris",
    },
]
DEMO_ADMIN = "demo-admin"
"""A subject for an admin token over every program (admins are not people in the graph)."""
DEMO_CONTACTS: list[dict[str, str]] = [
    {"id": "demo-ctc-1", "from": "demo-linus", "to": "demo-ada", "relation": "met-at-event"},
    {"id": "demo-ctc-2", "from": "demo-margaret", "to": "demo-grace", "relation": "colleague"},
    {"id": "demo-ctc-3", "from": "demo-ada", "to": "demo-grace", "relation": "peer"},
    {"id": "demo-ctc-5", "from": "demo-ava", "to": "demo-linus", "relation": "classmate"},
]
DEMO_COMMUNITY: list[dict[str, str]] = [
    {"id": f"demo-member-{index:02d}", "display_name": name}
    for index, name in enumerate(
        (
            "Abel Okafor",
            "Beatriz Santos",
            "Chen Wei",
            "Dara Murphy",
            "Elif Yilmaz",
            "Femi Adeyemi",
            "Greta Lindqvist",
            "Hiro Tanaka",
            "Ines Moreau",
            "Jonas Weber",
            "Kavya Rao",
            "Lena Novak",
            "Mateo Rossi",
            "Nia Mensah",
            "Oskar Berg",
            "Priya Nair",
            "Quinn Walsh",
            "Rosa Jimenez",
            "Sami Haddad",
            "Tomas Horvat",
            "Uma Patel",
            "Viktor Petrov",
        ),
        start=1,
    )
]
"""People outside the program (not discoverable, in no cohort): Ada knows all of them, Grace the
first twelve."""
GRACE_KNOWS = 12
DEMO_OUTCOMES: list[dict[str, Any]] = [
    {
        "key": "role-readiness",
        "name": "Role readiness",
        "metric": "self-assessed readiness for the next role",
        "baseline": 2.0,
        "target": 4.0,
        "unit": "points (1-5)",
    },
    {
        "key": "network-growth",
        "name": "Network growth",
        "metric": "new professional contacts",
        "baseline": 0.0,
        "target": 10.0,
        "unit": "contacts",
    },
    {
        "key": "promotion",
        "name": "Promotion velocity",
        "metric": "promoted within the cohort",
        "baseline": 0.0,
        "target": 1.0,
        "unit": "yes/no",
    },
]


async def _load(tx: AsyncManagedTransaction) -> bool:
    record = await fetch_one(tx, "MATCH (p:Person) RETURN count(p) AS people")
    if record is not None and record["people"] > 0:
        return False
    now = utc_now()
    due = date(now.year + 1, 6, 30)
    outcomes = [
        {**outcome, "id": f"demo-out-{i}", "position": i, "due_date": due}
        for i, outcome in enumerate(DEMO_OUTCOMES)
    ]
    await execute(
        tx,
        """
        CREATE (g:Program {id: $program, name: 'Demo Mentorship Program',
                           description: 'A program to try Rolodex with.', created_at: $now})
        CREATE (g)-[:HAS_COHORT]->(c:Cohort {id: $cohort, name: 'Autumn cohort', created_at: $now})
        WITH c
        UNWIND $outcomes AS outcome
        CREATE (c)-[:HAS_OUTCOME]->(o:Outcome)
        SET o = outcome
        """,
        program=DEMO_PROGRAM,
        cohort=DEMO_COHORT,
        outcomes=outcomes,
        now=now,
    )
    await execute(
        tx,
        """
        MATCH (c:Cohort {id: $cohort})
        UNWIND $people AS row
        CREATE (p:Person {id: row.id})
        SET p += row, p.discoverable = true, p.created_at = $now, p.updated_at = $now
        CREATE (p)-[:MEMBER_OF {since: $now}]->(c)
        """,
        cohort=DEMO_COHORT,
        people=DEMO_PEOPLE,
        now=now,
    )
    await execute(
        tx,
        """
        UNWIND $contacts AS row
        MATCH (a:Person {id: row.from}), (b:Person {id: row.to})
        CREATE (a)-[:KNOWS {id: row.id, relation: row.relation, source: 'manual',
                            since: $since, created_at: $now}]->(b)
        WITH DISTINCT 1 AS done
        MATCH (linus:Person {id: 'demo-linus'})
        CREATE (linus)-[:HAS_CONTACT]->(:Contact {id: 'demo-ctc-4', name: 'Barbara Liskov',
                organisation: 'MIT', title: 'Professor', relation: 'met-at-event',
                context: 'Asked about abstraction at a meetup', source: 'manual', created_at: $now})
        """,
        contacts=DEMO_CONTACTS,
        since=now.date() - timedelta(days=365),
        now=now,
    )
    await execute(
        tx,
        """
        UNWIND $community AS row
        CREATE (p:Person {id: row.id})
        SET p.display_name = row.display_name, p.roles = ['mentee'], p.discoverable = false,
            p.capacity = 0, p.skills = [], p.interests = [], p.languages = ['en'],
            p.created_at = $now, p.updated_at = $now
        WITH p, row
        MATCH (ada:Person {id: 'demo-ada'}), (grace:Person {id: 'demo-grace'})
        CREATE (ada)-[:KNOWS {id: row.id + '-ada', relation: 'colleague', source: 'manual',
                              since: $since, created_at: $now}]->(p)
        FOREACH (_ IN CASE WHEN row.grace THEN [1] ELSE [] END |
            CREATE (grace)-[:KNOWS {id: row.id + '-grace', relation: 'colleague',
                                    source: 'manual', since: $since, created_at: $now}]->(p))
        """,
        community=[
            {**member, "grace": index < GRACE_KNOWS} for index, member in enumerate(DEMO_COMMUNITY)
        ],
        since=now.date() - timedelta(days=200),
        now=now,
    )
    started = now - timedelta(days=30)
    await execute(
        tx,
        """
        MATCH (c:Cohort {id: $cohort}), (ada:Person {id: 'demo-ada'}),
              (linus:Person {id: 'demo-linus'}), (grace:Person {id: 'demo-grace'}),
              (margaret:Person {id: 'demo-margaret'})
        CREATE (ada)-[:MENTOR_IN]->(m1:Mentorship {id: 'demo-mentorship-1', status: 'active',
                goals: ['Ship a graph feature end to end'], proposed_by: 'mentee',
                proposed_at: $proposed, started_at: $started, updated_at: $started})
               <-[:MENTEE_IN]-(linus),
               (m1)-[:IN_COHORT]->(c)
        CREATE (grace)-[:MENTOR_IN]->(m2:Mentorship {id: 'demo-mentorship-2', status: 'proposed',
                goals: ['Move into product management'], proposed_by: 'admin',
                proposed_at: $now, updated_at: $now})<-[:MENTEE_IN]-(margaret),
               (m2)-[:IN_COHORT]->(c)
        CREATE (m1)-[:HAS_SESSION]->(:Session {id: 'demo-session-1', status: 'completed',
                scheduled_at: $first, requested_at: $requested, responded_at: $responded,
                sentiment_pre: 3, sentiment_post: 4, notes: 'Planned the first feature.',
                created_at: $started, updated_at: $first, completed_at: $first})
        CREATE (m1)-[:HAS_SESSION]->(:Session {id: 'demo-session-2', status: 'scheduled',
                scheduled_at: $next, created_at: $now, updated_at: $now})
        WITH c, linus
        MATCH (c)-[:HAS_OUTCOME]->(o:Outcome {key: 'role-readiness'})
        CREATE (o)-[:HAS_MEASUREMENT]->(:Measurement {id: 'demo-measurement-1', value: 2.5,
                measured_at: $first, recorded_at: $first})-[:OF_PERSON]->(linus)
        """,
        cohort=DEMO_COHORT,
        proposed=started - timedelta(days=2),
        started=started,
        requested=started + timedelta(days=1),
        responded=started + timedelta(days=1, hours=5),
        first=started + timedelta(days=7),
        next=now + timedelta(days=7),
        now=now,
    )
    return True


async def load_demo_if_empty(graph: Graph) -> bool:
    """Load the demo graph unless people already exist; return whether it was loaded."""
    return await graph.write(_load)


async def demo_people_present(graph: Graph) -> list[dict[str, Any]]:
    """The demo people found in the graph (id, display_name, roles), in the demo's order."""
    rows = await graph.query(
        "MATCH (p:Person) WHERE p.id IN $ids RETURN p.id AS id, p.display_name AS display_name, "
        "p.roles AS roles",
        {"ids": [person["id"] for person in DEMO_PEOPLE]},
    )
    order = {person["id"]: index for index, person in enumerate(DEMO_PEOPLE)}
    return sorted(rows, key=lambda row: order[row["id"]])
