"""graph/bulk.py: UNWIND batches merge items on their ids, once, whatever the batch boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from graph import bulk, mentorships, people, programs, sessions
from graph.db import Graph
from tests.builders import count

NOW = datetime(2030, 1, 6, 9, 0, tzinfo=UTC)


def person(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"per_bulk{number}",
        "display_name": f"Person {number}",
        "roles": ["mentor", "mentee"] if number == 1 else ["mentee"],
        "capacity": 3 if number == 1 else 0,
        "skills": ["python"],
        "languages": ["en"],
        "discoverable": True,
        "created_at": NOW,
        "updated_at": NOW,
        **fields,
    }


PEOPLE = [person(n) for n in range(1, 6)]
KNOWS = [
    {"id": f"ctc_k{n}", "from_id": "per_bulk1", "to_id": f"per_bulk{n}", "source": "manual"}
    | {"relation": "peer", "created_at": NOW, "since": date(2020, 1, 1)}
    for n in range(2, 6)
]


async def load_program(graph: Graph) -> None:
    await bulk.load_programs(graph, [{"id": "prg_b", "name": "Program", "created_at": NOW}])
    await bulk.load_cohorts(
        graph,
        [
            {
                "id": "coh_b",
                "program_id": "prg_b",
                "name": "Cohort",
                "starts_on": date(2030, 1, 1),
                "ends_on": date(2030, 6, 30),
                "created_at": NOW,
            }
        ],
    )
    await bulk.load_outcomes(
        graph,
        [
            {"id": f"out_b{i}", "cohort_id": "coh_b", "key": f"o{i}", "name": f"O {i}"}
            | {"position": i, "baseline": 1.0, "target": 4.0, "unit": "points"}
            for i in range(3)
        ],
    )


async def snapshot(graph: Graph) -> list[Any]:
    nodes = await graph.query(
        "MATCH (n) WHERE NOT n:SchemaMigration "
        "RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id"
    )
    rels = await graph.query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props "
        "ORDER BY a, b, type"
    )
    return [repr(sorted(row.items())) for row in nodes + rels]


async def test_people_and_contacts_load_in_batches_and_read_like_api_made_ones(
    graph: Graph,
) -> None:
    seen: list[int] = []
    stats = await bulk.load_people(graph, PEOPLE, batch_size=2, progress=seen.append)
    assert (stats.rows, stats.batches, stats.nodes_created) == (5, 3, 5)
    assert seen == [2, 2, 1]
    knows = await bulk.load_knows(graph, KNOWS, batch_size=3)
    assert (knows.batches, knows.relationships_created) == (2, 4)
    cards = await bulk.load_contact_cards(
        graph,
        [
            {"id": "ctc_card", "owner_id": "per_bulk1", "name": "Ada Card", "source": "manual"}
            | {"created_at": NOW, "since": date(2021, 5, 1)},
            {"id": "ctc_card2", "owner_id": "per_bulk2", "source": "manual", "created_at": NOW},
        ],
    )
    assert (cards.nodes_created, cards.relationships_created) == (2, 2)

    profile = await people.get_person(graph, "per_bulk1")
    assert profile is not None
    assert profile["created_at"] == NOW
    assert profile["roles"] == ["mentor", "mentee"]
    assert profile["headline"] is None  # absent keys are not written as properties
    assert await count(graph, "Contact") == 2


async def test_reloading_the_same_rows_changes_nothing(graph: Graph) -> None:
    await load_program(graph)
    await bulk.load_people(graph, PEOPLE)
    await bulk.load_knows(graph, KNOWS)
    await bulk.load_memberships(
        graph, [{"person_id": p["id"], "cohort_id": "coh_b", "since": NOW} for p in PEOPLE]
    )
    before = await snapshot(graph)

    again = bulk.BulkStats()
    again.add(await bulk.load_people(graph, PEOPLE, batch_size=2))
    again.add(await bulk.load_knows(graph, KNOWS, batch_size=1))
    again.add(
        await bulk.load_memberships(
            graph, [{"person_id": p["id"], "cohort_id": "coh_b", "since": NOW} for p in PEOPLE]
        )
    )
    assert (again.nodes_created, again.relationships_created, again.properties_set) == (0, 0, 0)
    assert await snapshot(graph) == before


async def test_an_id_that_exists_is_merged_never_duplicated(graph: Graph) -> None:
    made = await people.create_person(
        graph, "per_bulk1", {"display_name": "Made by the API", "roles": ["mentee"]}
    )
    twice = [person(1), person(1, display_name="Same id again")]
    stats = await bulk.load_people(graph, twice)
    assert stats.nodes_created == 0
    assert await count(graph, "Person") == 1
    kept = await people.get_person(graph, "per_bulk1")
    assert kept is not None
    assert kept["display_name"] == made["display_name"]  # create-only: existing items are kept

    updated = await bulk.load_people(graph, [person(1, display_name="Updated")], update=True)
    assert updated.nodes_created == 0
    after = await people.get_person(graph, "per_bulk1")
    assert after is not None
    assert after["display_name"] == "Updated"


async def test_a_malformed_row_writes_nothing(graph: Graph) -> None:
    rows = [*PEOPLE[:3], {"id": "per_bad", "display_name": "No roles", "created_at": NOW}]
    with pytest.raises(ValueError, match=r"person row 3: missing \['roles', 'updated_at'\]"):
        await bulk.load_people(graph, rows, batch_size=1)
    with pytest.raises(ValueError, match=r"unknown \['password'\]"):
        await bulk.load_people(graph, [person(9, password="x")])
    with pytest.raises(ValueError, match="created_at must be a datetime with a time zone"):
        await bulk.load_people(graph, [person(9, created_at=datetime(2030, 1, 1))])
    with pytest.raises(ValueError, match="since must be a date"):
        await bulk.load_knows(graph, [KNOWS[0] | {"since": NOW}])
    with pytest.raises(ValueError, match="batch_size"):
        await bulk.load_people(graph, PEOPLE, batch_size=0)
    assert await count(graph, "Person") == 0


async def test_edges_to_missing_people_write_nothing(graph: Graph) -> None:
    await bulk.load_people(graph, PEOPLE[:1])
    stats = await bulk.load_knows(graph, KNOWS)
    assert stats.relationships_created == 0
    assert stats.rows == len(KNOWS)


async def test_mentorships_sessions_and_measurements_match_the_graph_layer(graph: Graph) -> None:
    await load_program(graph)
    await bulk.load_people(graph, PEOPLE[:2])
    stats = await bulk.load_mentorships(
        graph,
        [
            {
                "id": "mnt_b",
                "mentor_id": "per_bulk1",
                "mentee_id": "per_bulk2",
                "cohort_id": "coh_b",
                "status": "active",
                "goals": ["grow"],
                "proposed_by": "mentee",
                "proposed_at": NOW,
                "started_at": NOW,
                "updated_at": NOW,
            }
        ],
    )
    # the node, MENTOR_IN, MENTEE_IN, IN_COHORT and both MEMBER_OF edges
    assert (stats.nodes_created, stats.relationships_created) == (1, 5)
    await bulk.load_sessions(
        graph,
        [
            {
                "id": "ses_b",
                "mentorship_id": "mnt_b",
                "status": "completed",
                "scheduled_at": NOW,
                "requested_at": NOW,
                "responded_at": NOW,
                "sentiment_pre": 2,
                "sentiment_post": 4,
                "created_at": NOW,
                "updated_at": NOW,
                "completed_at": NOW,
            }
        ],
    )
    await bulk.load_measurements(
        graph,
        [
            {
                "id": "msr_b",
                "outcome_id": "out_b0",
                "person_id": "per_bulk2",
                "value": 3.5,
                "measured_at": NOW,
                "recorded_at": NOW,
            }
        ],
    )

    mentorship = await mentorships.get_mentorship(graph, "mnt_b")
    assert mentorship is not None
    assert (mentorship["mentor_id"], mentorship["program_id"]) == ("per_bulk1", "prg_b")
    assert await programs.is_member(graph, "per_bulk2", "coh_b")
    context = await sessions.session_context(graph, "ses_b")
    assert context is not None
    assert context["session"]["sentiment_post"] == 4
    assert context["mentee_id"] == "per_bulk2"
    # the graph layer goes on from there: the bulk-made mentorship takes a session
    made = await sessions.create_session(graph, "mnt_b", NOW)
    assert made["mentorship_id"] == "mnt_b"
