"""Programs (operators create them; admins see theirs), cohorts with their 3-5 outcomes, and
measurements of progress on an outcome."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.access import ACCESS_PROBLEMS, Actor, admin_scope, cohort_in_reach, program_in_reach
from app.deps import GraphDep
from app.errors import (
    ForbiddenError,
    problem_responses,
)
from app.models.programs import (
    Cohort,
    CohortCreate,
    Measurement,
    MeasurementCreate,
    Program,
    ProgramCreate,
)
from app.pagination import Page, PageDep, page_of
from auth.security import AdminPrincipal
from graph import programs

router = APIRouter(prefix="/v1")


@router.post(
    "/programs",
    name="create",
    tags=["programs"],
    status_code=status.HTTP_201_CREATED,
    summary="Create a program (operators)",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def create_program(
    body: ProgramCreate, graph: GraphDep, principal: AdminPrincipal, response: Response
) -> Program:
    """Only an admin of every program (`programs: ["*"]`) creates programs."""
    if not principal.administers_all:
        raise ForbiddenError("Only operators (admins of every program) create programs.")
    row = await programs.create_program(graph, body.name, body.description)
    response.headers["Location"] = f"/v1/programs/{row['id']}"
    return Program.model_validate(row)


@router.get(
    "/programs",
    name="list",
    tags=["programs"],
    summary="List the programs the admin administers",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_programs(graph: GraphDep, principal: AdminPrincipal, page: PageDep) -> Page[Program]:
    rows = await programs.list_programs(graph, page, within=admin_scope(principal))
    return page_of(Program.model_validate, rows)


@router.post(
    "/programs/{program_id}/cohorts",
    name="create",
    tags=["cohorts"],
    status_code=status.HTTP_201_CREATED,
    summary="Create a cohort with its outcomes",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def create_cohort(
    program_id: str,
    body: CohortCreate,
    graph: GraphDep,
    principal: AdminPrincipal,
    response: Response,
) -> Cohort:
    """A cohort defines 3 to 5 measurable outcomes with distinct keys."""
    await program_in_reach(graph, principal, program_id)
    row = await programs.create_cohort(
        graph,
        program_id,
        body.model_dump(include={"name", "starts_on", "ends_on"}),
        [outcome.model_dump() for outcome in body.outcomes],
    )
    response.headers["Location"] = f"/v1/cohorts/{row['id']}"
    return Cohort.model_validate(row)


@router.get(
    "/programs/{program_id}/cohorts",
    name="list",
    tags=["cohorts"],
    summary="List a program's cohorts",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_cohorts(
    program_id: str, graph: GraphDep, principal: AdminPrincipal, page: PageDep
) -> Page[Cohort]:
    await program_in_reach(graph, principal, program_id)
    return page_of(Cohort.model_validate, await programs.list_cohorts(graph, program_id, page))


@router.get(
    "/cohorts/{cohort_id}",
    name="get",
    tags=["cohorts"],
    summary="Get a cohort and its outcomes",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def get_cohort(cohort_id: str, graph: GraphDep, principal: Actor) -> Cohort:
    """For admins of its program and for its members."""
    return Cohort.model_validate(await cohort_in_reach(graph, principal, cohort_id))


@router.post(
    "/cohorts/{cohort_id}/outcomes/{key}/measurements",
    name="measure",
    tags=["cohorts"],
    status_code=status.HTTP_201_CREATED,
    summary="Record progress on an outcome",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def record_measurement(
    cohort_id: str, key: str, body: MeasurementCreate, graph: GraphDep, principal: Actor
) -> Measurement:
    """Admins of the program record for any member; a member records their own progress."""
    await cohort_in_reach(graph, principal, cohort_id)
    if not principal.is_admin and body.person_id != principal.person_id:
        raise ForbiddenError("People record only their own progress.")
    row = await programs.record_measurement(
        graph, cohort_id, key, body.person_id, body.value, body.measured_at
    )
    return Measurement.model_validate(row)
