"""People: profiles (`/v1/people`, `/v1/me`), the admin listing, and erasure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.access import ACCESS_PROBLEMS, ReachedPerson, admin_scope, cohort_in_reach
from app.deps import GraphDep
from app.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnprocessableError,
    problem_responses,
)
from app.models.people import Person, PersonCreate, PersonPatch
from app.pagination import Page, PageDep, page_of
from auth.principals import Principal
from auth.security import AdminPrincipal, CurrentPrincipal, PersonPrincipal
from graph import people
from graph.db import Graph
from graph.errors import no_such
from graph.ids import is_url_safe_id, new_id
from graph.people import PersonRole

router = APIRouter(prefix="/v1", tags=["people"])


async def _new_person_id(graph: Graph, principal: Principal, body: PersonCreate) -> str:
    """Admins create anyone (with a new id); a person creates only their own profile, whose id
    is their token subject."""
    if principal.is_admin:
        if body.cohort_id is not None:
            await cohort_in_reach(graph, principal, body.cohort_id, members=False)
        elif not principal.administers_all:
            raise UnprocessableError(
                "Admins of specific programs enrol the new person in one of their cohorts: "
                "give cohort_id."
            )
        return new_id("per")
    if body.cohort_id is not None:
        raise ForbiddenError(
            "Only admins enrol people in cohorts; people join through a mentorship."
        )
    subject = principal.subject
    if not is_url_safe_id(subject):
        raise UnprocessableError("Your token subject cannot serve as a person id (URL-safe only).")
    return subject


@router.post(
    "/people",
    name="create",
    status_code=status.HTTP_201_CREATED,
    summary="Create a person",
    responses=problem_responses(*ACCESS_PROBLEMS, ConflictError),
)
async def create_person(
    body: PersonCreate, graph: GraphDep, principal: CurrentPrincipal, response: Response
) -> Person:
    """An admin creates a person (a new id; admins of specific programs must enrol them in one of
    their cohorts with `cohort_id`). A signed-in mentee or mentor creates their own profile: its id
    is their token subject, and a second one is a 409."""
    person_id = await _new_person_id(graph, principal, body)
    row = await people.create_person(
        graph, person_id, body.model_dump(exclude={"cohort_id"}), cohort_id=body.cohort_id
    )
    response.headers["Location"] = f"/v1/people/{person_id}"
    return Person.model_validate(row)


@router.get(
    "/me",
    name="me",
    summary="The caller's own profile",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def me(graph: GraphDep, principal: PersonPrincipal) -> Person:
    row = await people.get_person(graph, principal.subject)
    if row is None:
        raise NotFoundError("You have no profile yet; create it with POST /v1/people.")
    return Person.model_validate(row)


@router.get(
    "/people",
    name="list",
    summary="List people (admins)",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_people(
    graph: GraphDep,
    principal: AdminPrincipal,
    page: PageDep,
    skill: Annotated[str | None, Query(max_length=60, description="Has this skill.")] = None,
    role: Annotated[PersonRole | None, Query(description="Has this role.")] = None,
    program_id: Annotated[
        str | None, Query(max_length=128, description="Member of a cohort of this program.")
    ] = None,
    name: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Display name contains this text (case-insensitive), e.g. `ava`.",
        ),
    ] = None,
) -> Page[Person]:
    """People in the programs the admin administers, oldest first."""
    if program_id is not None and not principal.administers(program_id):
        raise NotFoundError(no_such("program", program_id))
    rows = await people.list_people(
        graph,
        page,
        skill=skill,
        role=role,
        program_id=program_id,
        name=name,
        within_programs=admin_scope(principal),
    )
    return page_of(Person.model_validate, rows)


@router.get(
    "/people/{person_id}",
    name="get",
    summary="Get a person",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def get_person(person: ReachedPerson, graph: GraphDep) -> Person:
    row = await people.get_person(graph, person.id)
    if row is None:
        raise NotFoundError(no_such("person", person.id))
    return Person.model_validate(row)


@router.patch(
    "/people/{person_id}",
    name="update",
    summary="Change a person's profile",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def update_person(person: ReachedPerson, body: PersonPatch, graph: GraphDep) -> Person:
    """Only the fields sent change; `null` clears an optional field. Lowering `capacity` below
    the live mentorships a mentor has keeps them, and refuses new proposals until it fits."""
    return Person.model_validate(await people.update_person(graph, person.id, body.changes()))


@router.delete(
    "/people/{person_id}",
    name="erase",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a person",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def erase_person(person: ReachedPerson, graph: GraphDep) -> Response:
    """Erasure: the profile, the rolodex and every contact to or from the person go, and free
    text about them in their mentorships and sessions is removed; live mentorships end. What
    metrics keep is an anonymous tombstone (see docs/graph-model.md)."""
    if not await people.erase_person(graph, person.id):
        raise NotFoundError(no_such("person", person.id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
