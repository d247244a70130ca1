"""Mentorships: proposals, the state machine, and each mentor's capacity.

`(mentor)-[:MENTOR_IN]->(:Mentorship)<-[:MENTEE_IN]-(mentee)`, `(:Mentorship)-[:IN_COHORT]->
(:Cohort)`. A proposal grants nobody anything: both people become `MEMBER_OF` the cohort only when
the proposal is accepted (`proposed → active`). The mentee must already be a member of a cohort of
the cohort's program (enrolled by its admin), so no proposal pulls anyone into another program.
States:

    proposed → active | declined
    active ⇄ paused
    active | paused → completed | abandoned

`proposed`, `active` and `paused` are *live*. A mentor's live mentorships never exceed their
capacity, and a (mentor, mentee) pair has at most one live mentorship. Both rules hold under
concurrency: a proposal write-locks the mentor node before it counts, so proposals at one mentor
run one after another and each sees the ones committed before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import ConflictError, InvalidError, NotFoundError, no_such, with_article
from graph.ids import new_id
from graph.pagination import PageRequest, RowPage, after_clause, read_page
from graph.values import Row, execute, fetch_map, fetch_one, lock, read_map, utc_now


class MentorshipStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    PAUSED = "paused"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class Proposer(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    ADMIN = "admin"


S = MentorshipStatus
TRANSITIONS: dict[MentorshipStatus, frozenset[MentorshipStatus]] = {
    S.PROPOSED: frozenset({S.ACTIVE, S.DECLINED}),
    S.ACTIVE: frozenset({S.PAUSED, S.COMPLETED, S.ABANDONED}),
    S.PAUSED: frozenset({S.ACTIVE, S.COMPLETED, S.ABANDONED}),
    S.DECLINED: frozenset(),
    S.COMPLETED: frozenset(),
    S.ABANDONED: frozenset(),
}
LIVE = frozenset({S.PROPOSED, S.ACTIVE, S.PAUSED})
ENDED = frozenset({S.DECLINED, S.COMPLETED, S.ABANDONED})

MATCH_MENTORSHIP = """
    MATCH (mentor)-[:MENTOR_IN]->(x:Mentorship {id: $id})<-[:MENTEE_IN]-(mentee),
          (x)-[:IN_COHORT]->(c:Cohort)<-[:HAS_COHORT]-(g:Program)
"""
MENTORSHIP = """x {.id, .status, .goals, .proposed_by, .proposed_at, .started_at, .ended_at,
    .end_reason, .pause_reason, .updated_at, mentor_id: mentor.id, mentee_id: mentee.id,
    cohort_id: c.id, program_id: g.id}"""


def can_transition(current: MentorshipStatus, target: MentorshipStatus) -> bool:
    return target in TRANSITIONS[current]


def _names(statuses: frozenset[MentorshipStatus]) -> str:
    return ", ".join(sorted(statuses)) or "none (it has ended)"


async def propose(
    graph: Graph,
    *,
    mentor_id: str,
    mentee_id: str,
    cohort_id: str,
    goals: Sequence[str],
    proposed_by: Proposer,
    now: datetime | None = None,
) -> Row:
    """Create a `proposed` mentorship, refusing it when the mentor is at capacity or the pair
    already has a live one."""
    if mentor_id == mentee_id:
        raise InvalidError("The mentor and the mentee must be two different people.")
    moment, mentorship_id = now or utc_now(), new_id("mnt")

    async def work(tx: AsyncManagedTransaction) -> Row:
        mentor = await fetch_one(
            tx,
            f"""
            MATCH (m:Person {{id: $mentor}}) {lock("m")}
            RETURN coalesce(m.roles, []) AS roles, coalesce(m.capacity, 0) AS capacity
            """,
            mentor=mentor_id,
        )
        if mentor is None:
            raise NotFoundError(no_such("person", mentor_id))
        found = await fetch_one(
            tx,
            """
            OPTIONAL MATCH (e:Person {id: $mentee})
            OPTIONAL MATCH (c:Cohort {id: $cohort})
            RETURN e.roles AS roles, e IS NOT NULL AS mentee, c IS NOT NULL AS cohort,
                   EXISTS { MATCH (e)-[:MEMBER_OF]->(:Cohort)<-[:HAS_COHORT]-(g:Program)
                            WHERE (g)-[:HAS_COHORT]->(c) } AS in_program
            """,
            mentee=mentee_id,
            cohort=cohort_id,
        )
        assert found is not None
        if not found["mentee"]:
            raise NotFoundError(no_such("person", mentee_id))
        if not found["cohort"]:
            raise NotFoundError(no_such("cohort", cohort_id))
        if "mentor" not in mentor["roles"]:
            raise InvalidError(f"Person {mentor_id!r} does not have the mentor role.")
        if "mentee" not in (found["roles"] or []):
            raise InvalidError(f"Person {mentee_id!r} does not have the mentee role.")
        if not found["in_program"]:
            raise InvalidError(
                f"Mentee {mentee_id!r} is not a member of the program of cohort {cohort_id!r}; "
                "an admin of that program enrols them first."
            )
        await _check_capacity(tx, mentor_id, mentee_id, int(mentor["capacity"]))
        await execute(
            tx,
            """
            MATCH (mentor:Person {id: $mentor}), (mentee:Person {id: $mentee}),
                  (c:Cohort {id: $cohort})
            CREATE (x:Mentorship {id: $id, status: 'proposed', goals: $goals,
                    proposed_by: $proposed_by, proposed_at: $now, updated_at: $now})
            CREATE (mentor)-[:MENTOR_IN]->(x), (mentee)-[:MENTEE_IN]->(x), (x)-[:IN_COHORT]->(c)
            """,
            id=mentorship_id,
            mentor=mentor_id,
            mentee=mentee_id,
            cohort=cohort_id,
            goals=list(goals),
            proposed_by=proposed_by.value,
            now=moment,
        )
        return await _read(tx, mentorship_id)

    return await graph.write(work)


async def _check_capacity(
    tx: AsyncManagedTransaction, mentor_id: str, mentee_id: str, capacity: int
) -> None:
    """Run with the mentor locked: refuse a second live mentorship of the pair, or one too many."""
    live = await fetch_one(
        tx,
        """
        OPTIONAL MATCH (:Person {id: $mentor})-[:MENTOR_IN]->(x:Mentorship)
        WHERE x.status IN $live
        RETURN count(x) AS live,
               [y IN collect(x) WHERE EXISTS { (y)<-[:MENTEE_IN]-(:Person {id: $mentee}) }
                | y.id] AS pair
        """,
        mentor=mentor_id,
        mentee=mentee_id,
        live=sorted(LIVE),
    )
    assert live is not None
    if live["pair"]:
        raise ConflictError(
            f"Mentor {mentor_id!r} and mentee {mentee_id!r} already have a live mentorship "
            f"({live['pair'][0]!r}); end it before proposing another."
        )
    if live["live"] >= capacity:
        raise ConflictError(
            f"Mentor {mentor_id!r} is at capacity: {live['live']} live mentorship(s) "
            f"(proposed, active or paused) of {capacity}."
        )


READ_MENTORSHIP = f"{MATCH_MENTORSHIP} RETURN {MENTORSHIP} AS mentorship"


async def _read(tx: AsyncManagedTransaction, mentorship_id: str) -> Row:
    mentorship = await fetch_map(tx, READ_MENTORSHIP, "mentorship", id=mentorship_id)
    if mentorship is None:
        raise NotFoundError(no_such("mentorship", mentorship_id))
    return mentorship


async def get_mentorship(graph: Graph, mentorship_id: str) -> Row | None:
    return await read_map(graph, READ_MENTORSHIP, "mentorship", id=mentorship_id)


async def lock_status(tx: AsyncManagedTransaction, mentorship_id: str) -> MentorshipStatus:
    """Write-lock the mentorship and return its status; raise `NotFoundError` when absent."""
    row = await fetch_one(
        tx,
        f"MATCH (x:Mentorship {{id: $id}}) {lock('x')} RETURN x.status AS status",
        id=mentorship_id,
    )
    if row is None:
        raise NotFoundError(no_such("mentorship", mentorship_id))
    return MentorshipStatus(row["status"])


async def transition(
    graph: Graph,
    mentorship_id: str,
    target: MentorshipStatus,
    reason: str | None = None,
    *,
    now: datetime | None = None,
) -> Row:
    """Move the mentorship to `target` if the state machine allows it from its current state.

    `started_at` is set on the first activation; `ended_at` and `end_reason` when it ends;
    `pause_reason` while paused.
    """
    moment = now or utc_now()

    async def work(tx: AsyncManagedTransaction) -> Row:
        current = await lock_status(tx, mentorship_id)
        if not can_transition(current, target):
            raise ConflictError(
                f"{with_article(current).capitalize()} mentorship cannot become {target}; "
                f"from {current} it can become: {_names(TRANSITIONS[current])}."
            )
        await execute(
            tx,
            """
            MATCH (x:Mentorship {id: $id})
            SET x.status = $target, x.updated_at = $now,
                x.started_at = CASE WHEN $target = 'active' THEN coalesce(x.started_at, $now)
                                    ELSE x.started_at END,
                x.ended_at = CASE WHEN $ended THEN $now ELSE x.ended_at END,
                x.end_reason = CASE WHEN $ended THEN $reason ELSE x.end_reason END,
                x.pause_reason = CASE WHEN $target = 'paused' THEN $reason END
            WITH x WHERE $accepted
            MATCH (mentor:Person)-[:MENTOR_IN]->(x)<-[:MENTEE_IN]-(mentee:Person),
                  (x)-[:IN_COHORT]->(c:Cohort)
            MERGE (mentor)-[a:MEMBER_OF]->(c) ON CREATE SET a.since = $now
            MERGE (mentee)-[b:MEMBER_OF]->(c) ON CREATE SET b.since = $now
            """,
            id=mentorship_id,
            target=target.value,
            ended=target in ENDED,
            accepted=current is S.PROPOSED and target is S.ACTIVE,
            reason=reason,
            now=moment,
        )
        return await _read(tx, mentorship_id)

    return await graph.write(work)


async def backdate_start(
    graph: Graph, mentorship_id: str, started_at: datetime, *, now: datetime | None = None
) -> Row:
    """Move a started mentorship's `started_at` earlier (an admin entering history).

    Only earlier: a later start could leave logged sessions before it. Not in the future, and
    only once the mentorship has started (a proposal gets its start when accepted)."""
    moment = now or utc_now()
    if started_at > moment:
        raise InvalidError("started_at cannot be in the future.")

    async def work(tx: AsyncManagedTransaction) -> Row:
        await lock_status(tx, mentorship_id)
        found = await fetch_one(
            tx,
            "MATCH (x:Mentorship {id: $id}) RETURN x.started_at AS started_at",
            id=mentorship_id,
        )
        current = found["started_at"] if found else None
        if current is None:
            raise ConflictError(
                "The mentorship has not started; it gets its start when the proposal is accepted."
            )
        if started_at > current:
            raise InvalidError(
                f"started_at can only move earlier than the recorded start "
                f"({current.isoformat()}), so no logged session falls before it."
            )
        await execute(
            tx,
            "MATCH (x:Mentorship {id: $id}) SET x.started_at = $started_at, x.updated_at = $now",
            id=mentorship_id,
            started_at=started_at,
            now=moment,
        )
        return await _read(tx, mentorship_id)

    return await graph.write(work)


async def list_for_person(
    graph: Graph,
    person_id: str,
    page: PageRequest,
    *,
    status: MentorshipStatus | None = None,
    within_programs: frozenset[str] | None = None,
) -> RowPage:
    """The person's mentorships (as mentor or mentee), oldest proposal first."""

    return await read_page(
        graph,
        f"""
        MATCH (:Person {{id: $person}})-[:MENTOR_IN|MENTEE_IN]->(x:Mentorship)
        MATCH (mentor)-[:MENTOR_IN]->(x)<-[:MENTEE_IN]-(mentee),
              (x)-[:IN_COHORT]->(c:Cohort)<-[:HAS_COHORT]-(g:Program)
        WHERE ($status IS NULL OR x.status = $status)
          AND ($scope IS NULL OR g.id IN $scope)
          AND {after_clause("x.proposed_at", "x.id")}
        RETURN {MENTORSHIP} AS mentorship ORDER BY x.proposed_at, x.id LIMIT $fetch
        """,
        "mentorship",
        page,
        order_key="proposed_at",
        person=person_id,
        status=status.value if status else None,
        scope=sorted(within_programs) if within_programs is not None else None,
    )
