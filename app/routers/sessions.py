"""Sessions of a mentorship: schedule (active mentorships only), update, list."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.access import ACCESS_PROBLEMS, ReachedMentorship, ReachedSession
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
    mentorship: ReachedMentorship,
    body: SessionCreate,
    graph: GraphDep,
    response: Response,
) -> Session:
    """The mentor, the mentee or an admin of the program schedules; the mentorship must be
    active (409 otherwise)."""
    sessions.check_not_before_start(mentorship.started_at, body.scheduled_at)
    row = await sessions.create_session(graph, mentorship.id, body.scheduled_at, body.requested_at)
    response.headers["Location"] = f"/v1/sessions/{row['id']}"
    return Session.model_validate(row)


@router.patch(
    "/sessions/{session_id}",
    name="update",
    summary="Update a session",
    responses=problem_responses(*ACCESS_PROBLEMS, ConflictError),
)
async def update_session(session: ReachedSession, body: SessionPatch, graph: GraphDep) -> Session:
    """Log how it went: a scheduled session becomes completed, no_show or cancelled once (409
    for any other change of status); sentiments are 1 to 5; `null` clears an optional field."""
    return Session.model_validate(await sessions.update_session(graph, session.id, body.changes()))


@router.get(
    "/mentorships/{mentorship_id}/sessions",
    name="list",
    summary="List a mentorship's sessions",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_sessions(
    mentorship: ReachedMentorship, graph: GraphDep, page: PageDep
) -> Page[Session]:
    """Earliest scheduled first."""
    return page_of(Session.model_validate, await sessions.list_sessions(graph, mentorship.id, page))
