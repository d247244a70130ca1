"""Mentorships: propose, read, move through the state machine, and list a person's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.access import (
    ACCESS_PROBLEMS,
    ReachedMentorship,
    ReachedPerson,
    admin_scope,
    check_backdated_start,
    check_proposal,
    check_transition,
)
from app.deps import GraphDep
from app.errors import (
    ConflictError,
    problem_responses,
)
from app.models.mentorships import Mentorship, MentorshipCreate, MentorshipPatch
from app.pagination import Page, PageDep, page_of
from auth.security import CurrentPrincipal
from graph import mentorships
from graph.mentorships import MentorshipStatus

router = APIRouter(prefix="/v1", tags=["mentorships"])


@router.post(
    "/mentorships",
    name="propose",
    status_code=status.HTTP_201_CREATED,
    summary="Propose a mentorship",
    responses=problem_responses(*ACCESS_PROBLEMS, ConflictError),
)
async def propose(
    body: MentorshipCreate, graph: GraphDep, principal: CurrentPrincipal, response: Response
) -> Mentorship:
    """The mentee or the mentor proposes (the other side must be discoverable or already
    connected to them), or an admin of the cohort's program. Refused with 409 when the mentor is
    at capacity (live = proposed, active or paused) or the pair already has a live mentorship."""
    by = await check_proposal(graph, principal, body)
    row = await mentorships.propose(
        graph,
        mentor_id=body.mentor_id,
        mentee_id=body.mentee_id,
        cohort_id=body.cohort_id,
        goals=body.goals,
        proposed_by=by,
    )
    response.headers["Location"] = f"/v1/mentorships/{row['id']}"
    return Mentorship.model_validate(row)


@router.get(
    "/mentorships/{mentorship_id}",
    name="get",
    summary="Get a mentorship",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def get_mentorship(mentorship: ReachedMentorship) -> Mentorship:
    return mentorship


@router.patch(
    "/mentorships/{mentorship_id}",
    name="transition",
    summary="Change a mentorship's status",
    responses=problem_responses(*ACCESS_PROBLEMS, ConflictError),
)
async def transition(
    current: ReachedMentorship,
    body: MentorshipPatch,
    graph: GraphDep,
    principal: CurrentPrincipal,
) -> Mentorship:
    """Follows the state machine (409 otherwise). A proposal is accepted by the side that did not
    propose (the mentor when an admin proposed) or an admin; either side declines, pauses,
    resumes, completes or abandons. An admin of the program entering history sends `started_at`
    alone to move a started mentorship's start earlier; sessions are never scheduled before the
    start."""
    if body.started_at is not None:
        check_backdated_start(principal, current)
        row = await mentorships.backdate_start(graph, current.id, body.started_at)
        return Mentorship.model_validate(row)
    assert body.status is not None
    check_transition(principal, current, body.status)
    row = await mentorships.transition(graph, current.id, body.status, body.reason)
    return Mentorship.model_validate(row)


@router.get(
    "/people/{person_id}/mentorships",
    name="list",
    summary="List a person's mentorships",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_for_person(
    person: ReachedPerson,
    graph: GraphDep,
    principal: CurrentPrincipal,
    page: PageDep,
    status: Annotated[MentorshipStatus | None, Query(description="Only this status.")] = None,
) -> Page[Mentorship]:
    """As mentor or as mentee, oldest proposal first; admins see those in their programs."""
    scope = admin_scope(principal) if principal.is_admin else None
    rows = await mentorships.list_for_person(
        graph, person.id, page, status=status, within_programs=scope
    )
    return page_of(Mentorship.model_validate, rows)
