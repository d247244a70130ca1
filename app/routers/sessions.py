"""Sessions of a mentorship: schedule (active mentorships only), update, list."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.access import ACCESS_PROBLEMS, Actor, mentorship_in_reach, session_in_reach
from app.deps import GraphDep
from app.errors import (
    ConflictError,
    problem_responses,
)
from app.models.sessions import Session, SessionCreate, SessionPatch
from app.pagination import Page, PageDep, page_of
from graph import sessions

router = APIRouter(prefix="/v1", tags=["sessions"])


@router.post(
    "/mentorships/{mentorship_id}/sessions",
    name="create",
    status_code=status.HTTP_201_CREATED,
    summary="Schedule a session",
    responses=problem_responses(*ACCESS_PROBLEMS, ConflictError),
)
async def create_session(
    mentorship_id: str,
    body: SessionCreate,
    graph: GraphDep,
    principal: Actor,
    response: Response,
) -> Session:
    """The mentor, the mentee or an admin of the program schedules; the mentorship must be
    active (409 otherwise)."""
    mentorship = await mentorship_in_reach(graph, principal, mentorship_id)
    sessions.check_not_before_start(mentorship, body.scheduled_at)
    row = await sessions.create_session(graph, mentorship_id, body.scheduled_at, body.requested_at)
    response.headers["Location"] = f"/v1/sessions/{row['id']}"
    return Session.model_validate(row)


@router.patch(
    "/sessions/{session_id}",
    name="update",
    summary="Update a session",
    responses=problem_responses(*ACCESS_PROBLEMS, ConflictError),
)
async def update_session(
    session_id: str, body: SessionPatch, graph: GraphDep, principal: Actor
) -> Session:
    """Log how it went: a scheduled session becomes completed, no_show or cancelled once (409
    for any other change of status); sentiments are 1 to 5; `null` clears an optional field."""
    await session_in_reach(graph, principal, session_id)
    return Session.model_validate(await sessions.update_session(graph, session_id, body.changes()))


@router.get(
    "/mentorships/{mentorship_id}/sessions",
    name="list",
    summary="List a mentorship's sessions",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_sessions(
    mentorship_id: str, graph: GraphDep, principal: Actor, page: PageDep
) -> Page[Session]:
    """Earliest scheduled first."""
    await mentorship_in_reach(graph, principal, mentorship_id)
    return page_of(Session.model_validate, await sessions.list_sessions(graph, mentorship_id, page))
