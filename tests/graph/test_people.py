"""graph/people.py: profiles, the filtered listing, reach facts and erasure."""

from __future__ import annotations

import pytest

from graph import contacts, mentorships, people
from graph.db import Graph
from graph.errors import ConflictError, NotFoundError
from graph.mentorships import MentorshipStatus
from graph.pagination import Cursor, PageRequest, RowPage
from graph.people import PersonRole
from graph.sessions import create_session, update_session
from tests import builders


async def test_create_and_get_round_trip(graph: Graph) -> None:
    created = await builders.person(
        graph, "Ada", skills=["Python"], timezone="Europe/London", email="ada@example.org"
    )
    fetched = await people.get_person(graph, created["id"])
    assert fetched == created
    assert fetched["skills"] == ["Python"]
    assert fetched["created_at"].utcoffset().total_seconds() == 0
    assert "_lock" not in fetched


async def test_same_id_twice_is_a_conflict(graph: Graph) -> None:
    await builders.person(graph, person_id="alice")
    with pytest.raises(ConflictError):
        await builders.person(graph, person_id="alice")


async def test_enrolment_needs_an_existing_cohort_and_writes_nothing_otherwise(
    graph: Graph,
) -> None:
    with pytest.raises(NotFoundError):
        await builders.person(graph, person_id="bob", cohort_id="coh_missing")
    assert await people.get_person(graph, "bob") is None


async def test_enrolled_person_belongs_to_the_program(graph: Graph) -> None:
    cohort = await builders.cohort(graph)
    person = await builders.person(graph, cohort_id=cohort["id"])
    facts = await people.person_facts(graph, person["id"])
    assert facts is not None
    assert facts.programs == {cohort["program_id"]}


async def test_update_sets_and_clears_fields(graph: Graph) -> None:
    person = await builders.person(graph, headline="Old")
    updated = await people.update_person(graph, person["id"], {"headline": None, "capacity": 2})
    assert updated["headline"] is None
    assert updated["capacity"] == 2
    assert updated["updated_at"] > person["updated_at"]
    with pytest.raises(NotFoundError):
        await people.update_person(graph, "per_nobody", {"capacity": 1})


async def test_unknown_fields_are_refused_before_any_write(graph: Graph) -> None:
    with pytest.raises(ValueError, match="not person fields"):
        await people.create_person(graph, "x", {"display_name": "X", "is_admin": True})


async def test_facts_say_who_is_connected(graph: Graph) -> None:
    a = await builders.person(graph, "A")
    b = await builders.person(graph, "B", discoverable=True)
    c = await builders.person(graph, "C")
    await contacts.add_contact(graph, a["id"], {}, person_id=b["id"])
    facts_b_for_a = await people.person_facts(graph, b["id"], viewer_id=a["id"])
    facts_a_for_b = await people.person_facts(graph, a["id"], viewer_id=b["id"])
    facts_c_for_a = await people.person_facts(graph, c["id"], viewer_id=a["id"])
    assert facts_b_for_a is not None
    assert facts_b_for_a.connected
    assert facts_b_for_a.discoverable
    assert facts_a_for_b is not None
    assert facts_a_for_b.connected
    assert facts_c_for_a is not None
    assert not facts_c_for_a.connected
    assert await people.person_facts(graph, "per_nobody") is None


async def test_list_filters_by_skill_role_and_program(graph: Graph) -> None:
    cohort = await builders.cohort(graph)
    ada = await builders.mentor(graph, "Ada", skills=["Graphs", "python"], cohort_id=cohort["id"])
    await builders.person(graph, "Linus", skills=["C"], cohort_id=cohort["id"])
    await builders.person(graph, "Outside", skills=["python"])

    def names(page: RowPage) -> list[str]:
        return [row["display_name"] for row in page.items]

    everyone = await people.list_people(graph, PageRequest())
    assert names(everyone) == ["Ada", "Linus", "Outside"]
    assert names(await people.list_people(graph, PageRequest(), skill="PYTHON")) == [
        "Ada",
        "Outside",
    ]
    assert names(await people.list_people(graph, PageRequest(), role=PersonRole.MENTOR)) == ["Ada"]
    in_program = await people.list_people(graph, PageRequest(), program_id=cohort["program_id"])
    assert names(in_program) == ["Ada", "Linus"]
    scoped = await people.list_people(
        graph, PageRequest(), skill="python", within_programs=frozenset({cohort["program_id"]})
    )
    assert [row["id"] for row in scoped.items] == [ada["id"]]
    assert names(await people.list_people(graph, PageRequest(), within_programs=frozenset())) == []


async def test_list_pages_follow_the_cursor_without_gaps(graph: Graph) -> None:
    made = [await builders.person(graph, f"P{i}") for i in range(5)]
    seen: list[str] = []
    page = await people.list_people(graph, PageRequest(limit=2))
    seen += [row["id"] for row in page.items]
    while page.next_cursor:
        page = await people.list_people(
            graph, PageRequest(limit=2, after=Cursor.decode(page.next_cursor))
        )
        seen += [row["id"] for row in page.items]
    assert seen == [row["id"] for row in made]


async def test_erasure_leaves_an_anonymous_tombstone_that_keeps_counts(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    other = await builders.person(graph, "Other")
    live = await builders.mentorship(
        graph, mentor["id"], mentee["id"], cohort["id"], status=MentorshipStatus.ACTIVE
    )
    session = await create_session(graph, live["id"], live["started_at"])
    await update_session(graph, session["id"], {"notes": "talked about Alice's divorce"})
    await contacts.add_contact(graph, mentee["id"], {"name": "Card", "email": "c@example.org"})
    await contacts.add_contact(graph, mentee["id"], {}, person_id=other["id"])
    await contacts.add_contact(graph, other["id"], {"name": "Mentee"}, person_id=mentee["id"])

    assert await people.erase_person(graph, mentee["id"]) is True

    assert await people.get_person(graph, mentee["id"]) is None
    rows = await graph.query(
        """
        MATCH (t:ErasedPerson)-[:MENTEE_IN]->(m:Mentorship)
        RETURN properties(t) AS tombstone, m.status AS status, m.goals AS goals,
               m.end_reason AS reason, [(m)-[:HAS_SESSION]->(s) | s.notes] AS notes,
               EXISTS { (t)-[:MEMBER_OF]->(:Cohort) } AS member
        """
    )
    assert len(rows) == 1
    row = rows[0]
    assert set(row["tombstone"]) == {"id", "roles", "created_at", "erased_at"}
    assert row["tombstone"]["id"].startswith("gone_")
    assert row["status"] == "abandoned"
    assert row["reason"] == people.ERASED_END_REASON
    assert row["goals"] == []
    assert row["notes"] == [None]
    assert row["member"] is True
    leftovers = await graph.query(
        "MATCH (c:Contact) RETURN count(c) AS cards UNION ALL "
        "MATCH ()-[k:KNOWS]->() RETURN count(k) AS cards"
    )
    assert [r["cards"] for r in leftovers] == [0, 0]
    mentor_view = await mentorships.list_for_person(graph, mentor["id"], PageRequest())
    assert [m["status"] for m in mentor_view.items] == ["abandoned"]
    assert await people.erase_person(graph, mentee["id"]) is False
