"""Sessions of a mentorship: `(:Mentorship)-[:HAS_SESSION]->(:Session)`.

A session is scheduled only in an active mentorship. Its status moves once, from `scheduled` to
`completed`, `no_show` or `cancelled`; the moment it does is kept (`completed_at`,
`cancelled_at`) because metrics need it (e.g. cancelled less than 24 h before `scheduled_at`).
`requested_at` and `responded_at` time the mentor's response; sentiments are 1-5.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.db import Graph
from graph.errors import ConflictError, InvalidError, NotFoundError, no_such, with_article
from graph.ids import new_id
from graph.mentorships import MentorshipStatus, lock_status
from graph.pagination import PageRequest, RowPage, after_clause, read_page
from graph.values import Row, execute, fetch_map, fetch_one, lock, utc_now


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


SESSION_TRANSITIONS: dict[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.SCHEDULED: frozenset(
        {SessionStatus.COMPLETED, SessionStatus.NO_SHOW, SessionStatus.CANCELLED}
    ),
    SessionStatus.COMPLETED: frozenset(),
    SessionStatus.NO_SHOW: frozenset(),
    SessionStatus.CANCELLED: frozenset(),
}
SESSION_FIELDS = frozenset({"status", "responded_at", "sentiment_pre", "sentiment_post", "notes"})
SESSION = """s {.id, .status, .scheduled_at, .requested_at, .responded_at, .sentiment_pre,
    .sentiment_post, .notes, .created_at, .updated_at, .completed_at, .cancelled_at,
    mentorship_id: x.id}"""


def check_not_before_start(started_at: datetime | None, scheduled_at: datetime) -> None:
    """The API's rule: a session is not scheduled before its mentorship started. An admin entering
    history first moves the start earlier (`PATCH /v1/mentorships/{id}` with `started_at`
    alone), then logs the earlier sessions."""
    if started_at is not None and scheduled_at < started_at:
        raise InvalidError(
            f"scheduled_at ({scheduled_at.isoformat()}) is before the mentorship started "
            f"({started_at.isoformat()}); an admin of the program entering history can backdate "
            "the start first (PATCH the mentorship with started_at)."
        )


async def create_session(
    graph: Graph,
    mentorship_id: str,
    scheduled_at: datetime,
    requested_at: datetime | None = None,
    *,
    now: datetime | None = None,
) -> Row:
    """Schedule a session; the mentorship must be active (locked while we check)."""
    moment = now or utc_now()

    async def work(tx: AsyncManagedTransaction) -> Row:
        status = await lock_status(tx, mentorship_id)
        if status is not MentorshipStatus.ACTIVE:
            raise ConflictError(
                f"Sessions can be scheduled only in an active mentorship; "
                f"mentorship {mentorship_id!r} is {status}."
            )
        session = await fetch_map(
            tx,
            f"""
            MATCH (x:Mentorship {{id: $mentorship}})
            CREATE (x)-[:HAS_SESSION]->(s:Session {{id: $id, status: 'scheduled',
                    scheduled_at: $scheduled_at, requested_at: $requested_at,
                    created_at: $now, updated_at: $now}})
            RETURN {SESSION} AS session
            """,
            "session",
            mentorship=mentorship_id,
            id=new_id("ses"),
            scheduled_at=scheduled_at,
            requested_at=requested_at,
            now=moment,
        )
        assert session is not None
        return session

    return await graph.write(work)


async def session_context(graph: Graph, session_id: str) -> Row | None:
    """The session with who may reach it: `{session, mentor_id, mentee_id, program_id}`."""

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        return await fetch_one(
            tx,
            f"""
            MATCH (mentor)-[:MENTOR_IN]->(x:Mentorship)-[:HAS_SESSION]->(s:Session {{id: $id}}),
                  (mentee)-[:MENTEE_IN]->(x),
                  (x)-[:IN_COHORT]->(:Cohort)<-[:HAS_COHORT]-(g:Program)
            RETURN {SESSION} AS session, mentor.id AS mentor_id, mentee.id AS mentee_id,
                   g.id AS program_id
            """,
            id=session_id,
        )

    return await graph.read(work)


async def update_session(
    graph: Graph, session_id: str, changes: Mapping[str, Any], *, now: datetime | None = None
) -> Row:
    """Apply `changes`; a status change must follow `SESSION_TRANSITIONS` (setting the current
    status again changes nothing). `responded_at` may not precede `requested_at`."""
    unknown = set(changes) - SESSION_FIELDS
    if unknown:
        raise ValueError(f"not session fields: {sorted(unknown)}")
    values, moment = dict(changes), now or utc_now()

    async def work(tx: AsyncManagedTransaction) -> Row:
        found = await fetch_one(
            tx,
            f"""
            MATCH (s:Session {{id: $id}}) {lock("s")}
            RETURN s.status AS status, s.requested_at AS requested_at
            """,
            id=session_id,
        )
        if found is None:
            raise NotFoundError(no_such("session", session_id))
        current = SessionStatus(found["status"])
        target = SessionStatus(values.get("status", current))
        if target != current and target not in SESSION_TRANSITIONS[current]:
            raise ConflictError(
                f"{with_article(current).capitalize()} session cannot become {target}; "
                "only a scheduled session "
                "changes status (to completed, no_show or cancelled)."
            )
        responded_at = values.get("responded_at")
        requested_at = found["requested_at"]
        if responded_at is not None and requested_at is not None and responded_at < requested_at:
            raise InvalidError("responded_at cannot be earlier than the session's requested_at.")
        values["status"] = target.value
        await execute(
            tx,
            """
            MATCH (s:Session {id: $id})
            SET s += $changes, s.updated_at = $now,
                s.completed_at = CASE WHEN $changed AND $status = 'completed' THEN $now
                                      ELSE s.completed_at END,
                s.cancelled_at = CASE WHEN $changed AND $status = 'cancelled' THEN $now
                                      ELSE s.cancelled_at END
            """,
            id=session_id,
            changes=values,
            changed=target != current,
            status=target.value,
            now=moment,
        )
        session = await fetch_map(
            tx,
            f"""
            MATCH (x:Mentorship)-[:HAS_SESSION]->(s:Session {{id: $id}})
            RETURN {SESSION} AS session
            """,
            "session",
            id=session_id,
        )
        assert session is not None
        return session

    return await graph.write(work)


async def list_sessions(graph: Graph, mentorship_id: str, page: PageRequest) -> RowPage:
    """The mentorship's sessions by `scheduled_at` (earliest first)."""

    return await read_page(
        graph,
        f"""
        MATCH (x:Mentorship {{id: $mentorship}})-[:HAS_SESSION]->(s:Session)
        WHERE {after_clause("s.scheduled_at", "s.id")}
        RETURN {SESSION} AS session ORDER BY s.scheduled_at, s.id LIMIT $fetch
        """,
        "session",
        page,
        order_key="scheduled_at",
        mentorship=mentorship_id,
    )
