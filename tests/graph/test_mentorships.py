"""graph/mentorships.py: proposals, the state machine, capacity and pair uniqueness."""

from __future__ import annotations

import asyncio

import pytest

from graph import mentorships
from graph.db import Graph
from graph.errors import ConflictError, DomainError, InvalidError, NotFoundError
from graph.mentorships import TRANSITIONS, MentorshipStatus, Proposer
from graph.pagination import PageRequest
from graph.values import Row
from tests import builders

S = MentorshipStatus


async def _propose(graph: Graph, mentor: Row, mentee: Row, cohort: Row) -> Row:
    return await mentorships.propose(
        graph,
        mentor_id=mentor["id"],
        mentee_id=mentee["id"],
        cohort_id=cohort["id"],
        goals=["ship a graph"],
        proposed_by=Proposer.MENTEE,
    )


async def test_proposal_links_people_and_cohort(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    proposed = await _propose(graph, mentor, mentee, cohort)
    assert proposed["status"] == "proposed"
    assert proposed["mentor_id"] == mentor["id"]
    assert proposed["mentee_id"] == mentee["id"]
    assert proposed["cohort_id"] == cohort["id"]
    assert proposed["program_id"] == cohort["program_id"]
    assert proposed["goals"] == ["ship a graph"]
    assert proposed["proposed_by"] == "mentee"
    assert proposed["started_at"] is None
    assert proposed["ended_at"] is None
    assert await mentorships.get_mentorship(graph, proposed["id"]) == proposed


async def _members(graph: Graph, cohort: Row) -> set[str]:
    rows = await graph.query(
        "MATCH (p:Person)-[:MEMBER_OF]->(c:Cohort {id: $id}) RETURN p.id AS id",
        {"id": cohort["id"]},
    )
    return {row["id"] for row in rows}


async def test_a_proposal_grants_membership_only_once_accepted(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    proposed = await _propose(graph, mentor, mentee, cohort)
    assert await _members(graph, cohort) == {mentee["id"]}  # enrolled by an admin, not the mentor
    await mentorships.transition(graph, proposed["id"], S.ACTIVE)
    assert await _members(graph, cohort) == {mentee["id"], mentor["id"]}


async def test_a_declined_proposal_grants_nothing(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    proposed = await _propose(graph, mentor, mentee, cohort)
    await mentorships.transition(graph, proposed["id"], S.DECLINED)
    assert await _members(graph, cohort) == {mentee["id"]}


async def test_no_proposal_puts_a_mentee_into_another_program(graph: Graph) -> None:
    mentor, mentee, own = await builders.pair(graph)
    elsewhere = await builders.cohort(graph)
    with pytest.raises(InvalidError, match="not a member of the program"):
        await _propose(graph, mentor, mentee, elsewhere)
    # Another cohort of the mentee's own program is fine.
    sibling = await builders.cohort(graph, own["program_id"], name="Sibling")
    assert (await _propose(graph, mentor, mentee, sibling))["status"] == "proposed"


async def test_roles_and_ids_are_checked(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    with pytest.raises(InvalidError, match="mentor role"):
        await _propose(graph, mentee, mentee | {"id": mentor["id"]}, cohort)
    with pytest.raises(InvalidError, match="different"):
        await _propose(graph, mentor, mentor, cohort)
    with pytest.raises(InvalidError, match="mentee role"):
        await _propose(graph, mentor, await builders.mentor(graph, "Other mentor"), cohort)
    with pytest.raises(NotFoundError):
        await _propose(graph, mentor, mentee, {"id": "coh_nobody"})
    with pytest.raises(NotFoundError):
        await _propose(graph, mentor, {"id": "per_nobody"}, cohort)
    with pytest.raises(NotFoundError):
        await _propose(graph, {"id": "per_nobody"}, mentee, cohort)
    rows = await graph.query("MATCH (m:Mentorship) RETURN count(m) AS n")
    assert rows[0]["n"] == 0


async def test_capacity_counts_live_mentorships(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph, capacity=1)
    other = await builders.person(graph, "Other mentee", cohort_id=cohort["id"])
    first = await _propose(graph, mentor, mentee, cohort)
    with pytest.raises(ConflictError, match="capacity"):
        await _propose(graph, mentor, other, cohort)
    await mentorships.transition(graph, first["id"], S.ACTIVE)
    await mentorships.transition(graph, first["id"], S.PAUSED)
    with pytest.raises(ConflictError, match="capacity"):
        await _propose(graph, mentor, other, cohort)
    await mentorships.transition(graph, first["id"], S.COMPLETED)
    assert (await _propose(graph, mentor, other, cohort))["status"] == "proposed"


async def test_one_live_mentorship_per_pair(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph, capacity=5)
    first = await _propose(graph, mentor, mentee, cohort)
    with pytest.raises(ConflictError, match="already have a live mentorship"):
        await _propose(graph, mentor, mentee, cohort)
    await mentorships.transition(graph, first["id"], S.DECLINED, "not now")
    again = await _propose(graph, mentor, mentee, cohort)
    assert again["id"] != first["id"]


async def test_parallel_proposals_at_a_full_mentor_yield_exactly_one(graph: Graph) -> None:
    mentor = await builders.mentor(graph, capacity=1)
    cohort = await builders.cohort(graph)
    mentees = [
        await builders.person(graph, f"Mentee {i}", cohort_id=cohort["id"]) for i in range(10)
    ]
    results = await asyncio.gather(
        *(_propose(graph, mentor, mentee, cohort) for mentee in mentees),
        return_exceptions=True,
    )
    created = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(created) == 1, results
    assert len(refused) == 9, results
    rows = await graph.query(
        "MATCH (:Person {id: $id})-[:MENTOR_IN]->(m:Mentorship) RETURN count(m) AS n",
        {"id": mentor["id"]},
    )
    assert rows[0]["n"] == 1


async def test_parallel_proposals_of_one_pair_yield_exactly_one(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph, capacity=10)
    results = await asyncio.gather(
        *(_propose(graph, mentor, mentee, cohort) for _ in range(8)), return_exceptions=True
    )
    assert len([r for r in results if isinstance(r, dict)]) == 1, results
    assert all(isinstance(r, dict | ConflictError) for r in results), results


@pytest.mark.parametrize(
    ("current", "target"),
    [(current, target) for current in S for target in S],
)
async def test_state_machine(graph: Graph, current: S, target: S) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    row = await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"], status=current)
    allowed = target in TRANSITIONS[current]
    if not allowed:
        with pytest.raises(ConflictError, match=f"cannot become {target}"):
            await mentorships.transition(graph, row["id"], target)
        assert (await mentorships.get_mentorship(graph, row["id"]) or {})["status"] == current
        return
    moved = await mentorships.transition(graph, row["id"], target, "a reason")
    assert moved["status"] == target
    assert moved["updated_at"] >= row["updated_at"]
    if target is S.ACTIVE:
        assert moved["started_at"] is not None
    if target in mentorships.ENDED:
        assert moved["ended_at"] is not None
        assert moved["end_reason"] == "a reason"
    if target is S.PAUSED:
        assert moved["pause_reason"] == "a reason"


def test_the_state_machine_is_the_briefs() -> None:
    assert {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets} == {
        ("proposed", "active"),
        ("proposed", "declined"),
        ("active", "paused"),
        ("paused", "active"),
        ("active", "completed"),
        ("active", "abandoned"),
        ("paused", "completed"),
        ("paused", "abandoned"),
    }


async def test_resuming_keeps_the_first_start(graph: Graph) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    row = await builders.mentorship(
        graph, mentor["id"], mentee["id"], cohort["id"], status=S.PAUSED
    )
    resumed = await mentorships.transition(graph, row["id"], S.ACTIVE)
    assert resumed["started_at"] == row["started_at"]
    assert resumed["pause_reason"] is None


async def test_unknown_mentorship(graph: Graph) -> None:
    with pytest.raises(NotFoundError):
        await mentorships.transition(graph, "mnt_nobody", S.ACTIVE)
    assert await mentorships.get_mentorship(graph, "mnt_nobody") is None


async def test_list_for_person_filters_and_scopes(graph: Graph) -> None:
    mentor = await builders.mentor(graph, capacity=5)
    mentee = await builders.person(graph, "Mentee")
    mine = await builders.cohort(graph)
    theirs = await builders.cohort(graph)
    a = await builders.mentorship(graph, mentor["id"], mentee["id"], mine["id"], status=S.COMPLETED)
    b = await builders.mentorship(graph, mentor["id"], mentee["id"], theirs["id"])
    every = await mentorships.list_for_person(graph, mentee["id"], PageRequest())
    assert [m["id"] for m in every.items] == [a["id"], b["id"]]
    live = await mentorships.list_for_person(graph, mentor["id"], PageRequest(), status=S.PROPOSED)
    assert [m["id"] for m in live.items] == [b["id"]]
    scoped = await mentorships.list_for_person(
        graph, mentee["id"], PageRequest(), within_programs=frozenset({mine["program_id"]})
    )
    assert [m["id"] for m in scoped.items] == [a["id"]]


async def test_domain_errors_share_a_base() -> None:
    assert issubclass(ConflictError, DomainError)
