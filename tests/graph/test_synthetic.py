"""graph/synthetic.py: a seeded network is deterministic, keeps the model's rules, and looks
exactly like what the API writes (labels, relationship types, property names and value types)."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph import contacts, mentorships, people, programs, sessions
from graph.db import Graph
from graph.mentorships import MentorshipStatus
from graph.synthetic import Network, Spec, generate, load_network
from tests import builders

UNTIL = datetime(2030, 3, 4, tzinfo=UTC)
SMALL = Spec(people=300, avg_contacts=6, programs=2, weeks=26, seed=11, until=UNTIL)

NODE_LABELS = (
    "Person",
    "Contact",
    "Program",
    "Cohort",
    "Outcome",
    "Measurement",
    "Mentorship",
    "Session",
)
RELATIONSHIP_TYPES = (
    "KNOWS",
    "HAS_CONTACT",
    "HAS_COHORT",
    "HAS_OUTCOME",
    "HAS_MEASUREMENT",
    "OF_PERSON",
    "MEMBER_OF",
    "MENTOR_IN",
    "MENTEE_IN",
    "IN_COHORT",
    "HAS_SESSION",
)


async def fingerprint(graph: Graph) -> dict[str, Any]:
    """Counts by label and type, and a checksum over every id, property and edge."""
    nodes = await graph.query(
        "MATCH (n) WHERE NOT n:SchemaMigration "
        "RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id"
    )
    rels = await graph.query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props "
        "ORDER BY a, b, type, r.id"
    )
    digest = hashlib.sha256()
    for row in nodes + rels:
        what = row.get("labels") or [row["type"], row["a"], row["b"]]
        digest.update(repr((what, sorted(row["props"].items()))).encode())
    return {
        "labels": Counter(label for row in nodes for label in row["labels"]),
        "types": Counter(row["type"] for row in rels),
        "ids": [row["props"]["id"] for row in nodes],
        "checksum": digest.hexdigest(),
    }


async def shapes(graph: Graph) -> dict[str, set[tuple[str, str]]]:
    """For each label and relationship type: the (property, value type) pairs present."""
    found: dict[str, set[tuple[str, str]]] = {}
    for label in NODE_LABELS:
        rows = await graph.query(
            f"MATCH (n:{label}) UNWIND keys(n) + ['(exists)'] AS k "
            "RETURN DISTINCT k, coalesce(valueType(n[k]), '') AS t"
        )
        found[label] = {(row["k"], row["t"]) for row in rows}
    for rel_type in RELATIONSHIP_TYPES:
        rows = await graph.query(
            f"MATCH ()-[r:{rel_type}]->() UNWIND keys(r) + ['(exists)'] AS k "
            "RETURN DISTINCT k, coalesce(valueType(r[k]), '') AS t"
        )
        found[rel_type] = {(row["k"], row["t"]) for row in rows}
    return found


async def write_through_the_graph_layer(graph: Graph) -> None:
    """One of everything, with every optional field, made by the functions the API calls."""
    fields: dict[str, Any] = {
        "headline": "Engineer",
        "skills": ["python"],
        "interests": ["graphs"],
        "languages": ["en"],
        "timezone": "Europe/London",
        "discoverable": True,
        "email": "a@example.org",
    }
    mentor = await builders.mentor(graph, "Mentor", capacity=5, **fields)
    mentees = [await builders.person(graph, f"Mentee {n}", **fields) for n in range(4)]
    program = await builders.program(graph)
    cohort = await programs.create_cohort(
        graph,
        program["id"],
        {"name": "Cohort", "starts_on": date(2030, 1, 1), "ends_on": date(2030, 6, 30)},
        builders.outcomes(),
    )
    await people.update_person(graph, mentor["id"], {"headline": "Staff engineer"})
    card: dict[str, Any] = {
        "name": "Card",
        "email": "c@example.org",
        "organisation": "Org",
        "title": "CTO",
    }
    card |= {"relation": "peer", "context": "met", "since": date(2020, 1, 1)}
    await contacts.add_contact(graph, mentor["id"], card)
    await contacts.add_contact(graph, mentor["id"], card, person_id=mentees[0]["id"])
    made = {
        status: await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"])
        for status, mentee in zip(
            (
                MentorshipStatus.ACTIVE,
                MentorshipStatus.DECLINED,
                MentorshipStatus.COMPLETED,
                MentorshipStatus.PAUSED,
            ),
            mentees,
            strict=True,
        )
    }
    await mentorships.transition(
        graph, made[MentorshipStatus.ACTIVE]["id"], MentorshipStatus.ACTIVE
    )
    await mentorships.transition(
        graph, made[MentorshipStatus.DECLINED]["id"], MentorshipStatus.DECLINED, "No capacity"
    )
    for status in (MentorshipStatus.COMPLETED, MentorshipStatus.PAUSED):
        await mentorships.transition(graph, made[status]["id"], MentorshipStatus.ACTIVE)
        await mentorships.transition(graph, made[status]["id"], status, "Because")
    active = made[MentorshipStatus.ACTIVE]["id"]
    start = UNTIL - timedelta(days=3)
    done = await sessions.create_session(graph, active, start, start - timedelta(days=2))
    await sessions.update_session(
        graph,
        done["id"],
        {
            "status": "completed",
            "responded_at": start - timedelta(days=1),
            "sentiment_pre": 3,
            "sentiment_post": 4,
            "notes": "Good",
        },
    )
    off = await sessions.create_session(graph, active, start, start - timedelta(days=2))
    await sessions.update_session(graph, off["id"], {"status": "cancelled"})
    await programs.record_measurement(graph, cohort["id"], "o1", mentees[0]["id"], 3.0, start)


def test_the_same_spec_generates_the_same_rows_and_another_seed_does_not() -> None:
    first, again = generate(SMALL), generate(SMALL)
    assert first == again
    other = generate(Spec(**{**SMALL.__dict__, "seed": 12}))
    assert [p["id"] for p in other.people] != [p["id"] for p in first.people]


def test_the_network_keeps_the_rules_of_the_model() -> None:
    net: Network = generate(
        Spec(people=2000, avg_contacts=8, programs=3, weeks=26, seed=5, until=UNTIL)
    )
    capacity = {p["id"]: p["capacity"] for p in net.people}
    live = Counter(
        m["mentor_id"] for m in net.mentorships if m["status"] in {"proposed", "active", "paused"}
    )
    assert all(live[mentor] <= capacity[mentor] for mentor in live)
    pairs = Counter((m["mentor_id"], m["mentee_id"]) for m in net.mentorships)
    assert max(pairs.values()) == 1
    statuses = Counter(m["status"] for m in net.mentorships)
    assert set(statuses) == {"proposed", "active", "paused", "completed", "abandoned", "declined"}
    session_statuses = Counter(s["status"] for s in net.sessions)
    assert session_statuses.most_common(1)[0][0] == "completed"
    assert {"no_show", "cancelled", "scheduled"} <= set(session_statuses)
    for session in net.sessions:
        assert (session["status"] == "cancelled") == ("cancelled_at" in session)
        assert (session["status"] == "completed") == ("completed_at" in session)
        if "responded_at" in session:
            assert session["responded_at"] >= session["requested_at"]
    outcomes = Counter(o["cohort_id"] for o in net.outcomes)
    assert all(3 <= n <= 5 for n in outcomes.values())
    mentors = sum("mentor" in p["roles"] for p in net.people)
    assert 0.15 < mentors / len(net.people) < 0.3
    degree = Counter(k["from_id"] for k in net.knows) + Counter(k["to_id"] for k in net.knows)
    mean = sum(degree.values()) / len(net.people)
    assert max(degree.values()) > 8 * mean  # preferential attachment: a few hubs
    everything = [row for _, rows in net.parts() for row in rows]
    assert all(
        value.tzinfo is UTC
        for row in everything
        for key, value in row.items()
        if key.endswith("_at")
    )


async def test_seeding_twice_into_a_clean_database_gives_the_same_graph(graph: Graph) -> None:
    spec = Spec(people=150, avg_contacts=5, programs=2, weeks=12, seed=3, until=UNTIL)
    await load_network(graph, generate(spec), batch_size=97)
    first = await fingerprint(graph)
    await graph.query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n", write=True)
    await load_network(graph, generate(spec), batch_size=1000)
    assert await fingerprint(graph) == first
    assert first["labels"]["Person"] == 150
    assert first["types"]["KNOWS"] > 0

    again = await load_network(graph, generate(spec))
    assert sum(s.items_created for s in again.values()) == 0
    assert await fingerprint(graph) == first


async def test_seeded_items_have_the_labels_types_and_properties_the_api_writes(
    graph: Graph,
) -> None:
    await write_through_the_graph_layer(graph)
    written = await shapes(graph)
    await graph.query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n", write=True)
    await load_network(graph, generate(SMALL))
    seeded = await shapes(graph)
    for name in NODE_LABELS + RELATIONSHIP_TYPES:
        assert written[name], name
        assert seeded[name] == written[name], name
