"""Programs (operators create them; admins see theirs), cohorts with their 3-5 outcomes, and
measurements of progress on an outcome."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.access import ACCESS_PROBLEMS, ReachedCohort, ReachedProgram, admin_scope
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
from auth.security import AdminPrincipal, CurrentPrincipal, OperatorPrincipal
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
    body: ProgramCreate, graph: GraphDep, operator: OperatorPrincipal, response: Response
) -> Program:
    """Only an admin of every program (`programs: ["*"]`) creates programs."""
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
    program: ReachedProgram,
    body: CohortCreate,
    graph: GraphDep,
    response: Response,
) -> Cohort:
    """A cohort defines 3 to 5 measurable outcomes with distinct keys."""
    row = await programs.create_cohort(
        graph,
        program.id,
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
async def list_cohorts(program: ReachedProgram, graph: GraphDep, page: PageDep) -> Page[Cohort]:
    return page_of(Cohort.model_validate, await programs.list_cohorts(graph, program.id, page))


@router.get(
    "/cohorts/{cohort_id}",
    name="get",
    tags=["cohorts"],
    summary="Get a cohort and its outcomes",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def get_cohort(cohort: ReachedCohort) -> Cohort:
    """For admins of its program and for its members."""
    return cohort


@router.post(
    "/cohorts/{cohort_id}/outcomes/{key}/measurements",
    name="measure",
    tags=["cohorts"],
    status_code=status.HTTP_201_CREATED,
    summary="Record progress on an outcome",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def record_measurement(
    cohort: ReachedCohort,
    key: str,
    body: MeasurementCreate,
    graph: GraphDep,
    principal: CurrentPrincipal,
) -> Measurement:
    """Admins of the program record for any member; a member records their own progress."""
    if principal.person_id is not None and body.person_id != principal.person_id:
        raise ForbiddenError("People record only their own progress.")
    row = await programs.record_measurement(
        graph, cohort.id, key, body.person_id, body.value, body.measured_at
    )
    return Measurement.model_validate(row)
