"""Program metrics for admins: weekly metrics, network growth, fast-fail signals, and outcome
attainment per cohort. Definitions: docs/metrics.md.

An admin of every program (`programs: ["*"]`) sees everything; an admin of some programs sees
only theirs — unfiltered figures cover their programs, and a `program_id` or `cohort_id` outside
them is a 404, exactly like a missing one. People, mentors and mentees get 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError

from app.access import (
    ACCESS_PROBLEMS,
    ReachedCohort,
    admin_scope,
    cohort_in_reach,
    program_in_reach,
)
from app.analytics import network, outcomes, signals
from app.analytics.stats import running_totals
from app.analytics.weekly import weekly_rows
from app.analytics.weeks import WeekRange, WeekRangeError, week_range
from app.deps import GraphDep, SettingsDep
from app.errors import NotFoundError, problem_responses
from app.models.metrics import CohortOutcomes, FastFail, NetworkMetrics, WeeklyMetrics
from auth.principals import Principal
from auth.security import AdminPrincipal
from graph import metrics, network_metrics
from graph import outcomes as graph_outcomes
from graph.db import Graph
from graph.errors import no_such
from graph.scope import Scope
from graph.values import utc_now

router = APIRouter(prefix="/v1", tags=["metrics"])

ProgramFilter = Annotated[
    str | None, Query(max_length=128, description="Only this program (one you administer).")
]
CohortFilter = Annotated[
    str | None, Query(max_length=128, description="Only this cohort (of a program you administer).")
]


def weeks_asked(
    first: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=16,
            description="First ISO week, e.g. `2026-W01`, or a date, e.g. `2026-01-02` (the "
            "ISO week holding it); default: 11 weeks before `to`.",
        ),
    ] = None,
    last: Annotated[
        str | None,
        Query(
            alias="to",
            max_length=16,
            description="Last ISO week, included, or a date (the ISO week holding it); "
            "default: the current week.",
        ),
    ] = None,
    tz: Annotated[
        str | None,
        Query(max_length=64, description="IANA time zone the weeks run in (default UTC)."),
    ] = None,
) -> WeekRange:
    """The weeks asked for; a bad week or zone, `from` after `to`, or a range longer than
    `MAX_WEEKS` is a 422 naming the parameter."""
    try:
        return week_range(first, last, tz, now=utc_now())
    except WeekRangeError as error:
        raise RequestValidationError(
            [{"loc": ("query", error.field), "msg": error.message, "type": "value_error"}]
        ) from error


Weeks = Annotated[WeekRange, Depends(weeks_asked)]


async def _scope(
    graph: Graph,
    principal: Principal,
    program_id: str | None,
    cohort_id: str | None = None,
) -> Scope:
    """The admin's programs narrowed to the filters asked for (404 for any out of reach)."""
    if program_id is not None:
        await program_in_reach(graph, principal, program_id)
    if cohort_id is not None:
        cohort = await cohort_in_reach(graph, principal, cohort_id, members=False)
        if program_id is not None and cohort.program_id != program_id:
            raise NotFoundError(no_such("cohort", cohort_id))
    return Scope(programs=admin_scope(principal), program_id=program_id, cohort_id=cohort_id)


@router.get(
    "/metrics/weekly",
    name="weekly",
    summary="Weekly program metrics",
    responses=problem_responses(*ACCESS_PROBLEMS),
    response_model_by_alias=True,
)
async def weekly(
    graph: GraphDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
    weeks: Weeks,
    program_id: ProgramFilter = None,
    cohort_id: CohortFilter = None,
) -> WeeklyMetrics:
    """One row per ISO week: session completion rate, response SLA (p50, p90, share within
    target), sentiment delta, dropout, mentor cadence, matching accuracy and portability
    adoption. A figure with no data in its week is null."""
    scope = await _scope(graph, principal, program_id, cohort_id)
    by_week, before = await metrics.weekly_aggregates(graph, weeks.params(), scope)
    rows = weekly_rows(
        weeks,
        by_week,
        before,
        target_hours=settings.sla_target_hours,
        scoped=not scope.everything,
    )
    return WeeklyMetrics.model_validate(
        {
            "from": str(weeks.first),
            "to": str(weeks.last),
            "tz": weeks.tz_name,
            "program_id": program_id,
            "cohort_id": cohort_id,
            "sla_target_hours": settings.sla_target_hours,
            "weeks": rows,
        }
    )


@router.get(
    "/metrics/network",
    name="network",
    summary="Network growth and shape",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def network_growth(
    graph: GraphDep, principal: AdminPrincipal, weeks: Weeks, program_id: ProgramFilter = None
) -> NetworkMetrics:
    """Weekly new and cumulative people, contacts (`KNOWS`) and mentorships; and, for the contact
    graph as it stood at the end of the range, mean degree, degree histogram, share of people in
    the largest connected component and median 2-hop reach (`estimated` when sampled)."""
    scope = await _scope(graph, principal, program_id)
    rows, before = await network_metrics.growth(graph, weeks.params(), scope)
    totals = {
        name: running_totals(before[name], [row[f"new_{name}"] for row in rows])
        for name in ("people", "contacts", "mentorships")
    }
    people, edges = await network_metrics.contact_graph(graph, weeks.end, scope)
    shape = network.snapshot(people, edges)
    return NetworkMetrics.model_validate(
        {
            "from": str(weeks.first),
            "to": str(weeks.last),
            "weeks": [
                {
                    "week": week.key,
                    "starts_on": week.starts_on,
                    **{key: row[key] for key in ("new_people", "new_contacts", "new_mentorships")},
                    **{f"cumulative_{name}": totals[name][i] for name in totals},
                }
                for i, (week, row) in enumerate(zip(weeks.weeks, rows, strict=True))
            ],
            "mean_degree": shape.mean_degree,
            "degree_histogram": shape.degree_histogram,
            "largest_component_share": shape.largest_component_share,
            "median_two_hop_reach": shape.median_two_hop_reach,
            "estimated": shape.estimated,
            "sample_size": shape.sample_size,
        }
    )


@router.get(
    "/metrics/fast-fail",
    name="fast_fail",
    summary="Mentorships flagged by fast-fail signals",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def fast_fail(
    graph: GraphDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
    program_id: ProgramFilter = None,
    cohort_id: CohortFilter = None,
) -> FastFail:
    """Active and paused mentorships showing a fast-fail signal now, each with its reasons: no
    completed session 14 days after the start, the last two sessions missed, a sentiment drop of
    1 point or more in the latest session, or the response SLA breached twice."""
    scope = await _scope(graph, principal, program_id, cohort_id)
    now, target = utc_now(), settings.sla_target_hours
    rows = await metrics.fast_fail_rows(
        graph, scope, now=now, target_hours=target, **signals.PREFILTER
    )
    items = signals.flagged(rows, now=now, target_hours=target)
    return FastFail.model_validate({"items": items})


@router.get(
    "/cohorts/{cohort_id}/outcomes",
    name="outcomes",
    summary="Outcome attainment of a cohort",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def cohort_outcomes(cohort: ReachedCohort, graph: GraphDep) -> CohortOutcomes:
    """Per outcome: target, due date, how many mentees are at or above target by their latest
    measurement (at or below when the target is lower than the baseline), and those latest
    measurements."""
    rows = await graph_outcomes.cohort_outcomes(graph, cohort.id)
    return CohortOutcomes.model_validate(
        {"cohort_id": cohort.id, "outcomes": [outcomes.attainment(row) for row in rows]}
    )
