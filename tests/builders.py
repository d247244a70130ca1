"""Builders for tests: people, programs, cohorts and mentorships made through the graph layer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from graph import mentorships, people, programs
from graph.db import Graph
from graph.ids import new_id
from graph.mentorships import MentorshipStatus, Proposer
from graph.values import Row

START = datetime(2030, 5, 1, 9, 30, tzinfo=UTC)
"""A session start used across tests."""


def outcome(key: str, **overrides: Any) -> dict[str, Any]:
    """A valid outcome definition (as the API accepts it)."""
    return {
        "key": key,
        "name": f"Outcome {key}",
        "metric": "self-assessed readiness",
        "baseline": 2.0,
        "target": 4.0,
        "unit": "points",
        "due_date": date(2030, 6, 30),
        **overrides,
    }


def outcomes(count: int = 3) -> list[dict[str, Any]]:
    return [outcome(f"o{i}") for i in range(1, count + 1)]


async def count(graph: Graph, label: str) -> int:
    """How many nodes carry `label` (a label written in the test, never input)."""
    rows = await graph.query(f"MATCH (n:{label}) RETURN count(n) AS n")
    return int(rows[0]["n"])


async def person(
    graph: Graph,
    display_name: str = "Someone",
    *,
    person_id: str | None = None,
    roles: tuple[str, ...] = ("mentee",),
    cohort_id: str | None = None,
    **fields: Any,
) -> Row:
    values: dict[str, Any] = {
        "display_name": display_name,
        "roles": list(roles),
        "skills": [],
        "interests": [],
        "languages": ["en"],
        "capacity": 0,
        "discoverable": False,
        **fields,
    }
    return await people.create_person(
        graph, person_id or new_id("per"), values, cohort_id=cohort_id
    )


async def mentor(
    graph: Graph, display_name: str = "Mentor", capacity: int = 3, **fields: Any
) -> Row:
    return await person(graph, display_name, roles=("mentor",), capacity=capacity, **fields)


async def program(graph: Graph, name: str = "Program") -> Row:
    return await programs.create_program(graph, name, "A program for tests")


async def cohort(graph: Graph, program_id: str | None = None, name: str = "Cohort") -> Row:
    if program_id is None:
        program_id = (await program(graph))["id"]
    return await programs.create_cohort(graph, program_id, {"name": name}, outcomes())


async def mentorship(
    graph: Graph,
    mentor_id: str,
    mentee_id: str,
    cohort_id: str,
    *,
    status: MentorshipStatus = MentorshipStatus.PROPOSED,
) -> Row:
    """A mentorship walked through the state machine to `status` (the mentee is enrolled in the
    cohort first, as an admin of its program would, since proposals need that)."""
    await programs.enrol(graph, mentee_id, cohort_id)
    row = await mentorships.propose(
        graph,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        cohort_id=cohort_id,
        goals=["grow"],
        proposed_by=Proposer.MENTEE,
    )
    path = {
        MentorshipStatus.PROPOSED: [],
        MentorshipStatus.ACTIVE: [MentorshipStatus.ACTIVE],
        MentorshipStatus.DECLINED: [MentorshipStatus.DECLINED],
        MentorshipStatus.PAUSED: [MentorshipStatus.ACTIVE, MentorshipStatus.PAUSED],
        MentorshipStatus.COMPLETED: [MentorshipStatus.ACTIVE, MentorshipStatus.COMPLETED],
        MentorshipStatus.ABANDONED: [MentorshipStatus.ACTIVE, MentorshipStatus.ABANDONED],
    }[status]
    for step in path:
        row = await mentorships.transition(graph, row["id"], step)
    return row


async def pair(graph: Graph, *, capacity: int = 3) -> tuple[Row, Row, Row]:
    """A mentor, a mentee enrolled in a cohort, and the cohort to match them in."""
    the_mentor = await mentor(graph, "Mentor", capacity=capacity)
    the_cohort = await cohort(graph)
    return the_mentor, await person(graph, "Mentee", cohort_id=the_cohort["id"]), the_cohort
