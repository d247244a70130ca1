"""Mentor suggestions for a mentee, and the exclusions that keep someone out of them.

Matches are for the mentee themself or an admin who reaches them (anyone else gets the 404 a
missing person gets). Only discoverable mentors are ever suggested. Scoring: docs/metrics.md and
`app/analytics/matching.py`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.access import (
    ACCESS_PROBLEMS,
    ReachedPerson,
    cohort_in_reach,
    person_choosable,
)
from app.analytics.matching import pool_suffices, rank
from app.deps import GraphDep
from app.errors import NotFoundError, UnprocessableError, problem_responses
from app.models.matching import Exclusions, Match, Matches
from app.models.people import Language
from auth.security import CurrentPrincipal
from graph import matching
from graph.errors import no_such
from graph.values import utc_now

router = APIRouter(prefix="/v1", tags=["matching"])

MAX_MATCHES = 50


@router.get(
    "/people/{person_id}/matches",
    name="list",
    summary="Suggested mentors for a mentee",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def matches(
    person: ReachedPerson,
    graph: GraphDep,
    principal: CurrentPrincipal,
    limit: Annotated[
        int,
        Query(
            ge=1,
            description=f"How many (1 to {MAX_MATCHES}); larger values are clamped to {MAX_MATCHES}.",
        ),
    ] = 10,
    cohort_id: Annotated[
        str | None, Query(max_length=128, description="Only mentors who are members of it.")
    ] = None,
    language: Annotated[
        Language | None,
        Query(max_length=35, description="Only mentors who speak it (BCP 47, e.g. `pt-BR`)."),
    ] = None,
) -> Matches:
    """Discoverable mentors with capacity left, who speak `language` (or, without it, share a
    language with the mentee), whom neither side excluded and who are not already the mentee's
    mentor — ranked by a score in [0, 1] weighing shared interests and skills, time zones, shared
    contacts, shared programs and capacity left. Equal scores are ordered by person id."""
    person_id = person.id
    if cohort_id is not None:
        await cohort_in_reach(graph, principal, cohort_id)
    mentee, candidates = await matching.match_facts(
        graph, person_id, cohort_id=cohort_id, bounded=True
    )
    if mentee is None:
        raise NotFoundError(no_such("person", person_id))
    if "mentee" not in mentee["roles"]:
        raise UnprocessableError(f"Person {person_id!r} does not have the mentee role.")
    limit, now = min(limit, MAX_MATCHES), utc_now()
    ranked = rank(mentee, candidates, now=now, limit=limit, language_asked=language)
    if cohort_id is None and not pool_suffices(ranked, limit):
        # the pool of a cohort is all of it; otherwise someone outside it may rank: all mentors
        mentee, candidates = await matching.match_facts(graph, person_id)
        if mentee is None:
            raise NotFoundError(no_such("person", person_id))
        ranked = rank(mentee, candidates, now=now, limit=limit, language_asked=language)
    return Matches(
        person_id=person_id,
        matches=[
            Match(
                person_id=m.person_id,
                display_name=m.display_name,
                score=m.score,
                reasons=m.reasons,
            )
            for m in ranked
        ],
    )


@router.get(
    "/people/{person_id}/exclusions",
    name="exclusions",
    summary="People excluded from a person's matches",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def list_exclusions(person: ReachedPerson, graph: GraphDep) -> Exclusions:
    return Exclusions.model_validate({"items": await matching.exclusions(graph, person.id)})


@router.post(
    "/people/{person_id}/exclusions/{other_id}",
    name="exclude",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Never match a person with another",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def exclude(
    person: ReachedPerson, other_id: str, graph: GraphDep, principal: CurrentPrincipal
) -> Response:
    """The other person is never suggested to this one, nor this one to them (idempotent). They
    must be someone the person can choose: discoverable, or already connected to them."""
    await person_choosable(graph, principal, other_id, by=person.id)
    await matching.add_exclusion(graph, person.id, other_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/people/{person_id}/exclusions/{other_id}",
    name="unexclude",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Undo an exclusion",
    responses=problem_responses(*ACCESS_PROBLEMS),
)
async def unexclude(person: ReachedPerson, other_id: str, graph: GraphDep) -> Response:
    """Idempotent: removing an exclusion that does not exist changes nothing."""
    await matching.remove_exclusion(graph, person.id, other_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
