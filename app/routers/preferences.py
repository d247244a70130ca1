"""Preference layers: a person's choices and per-audience overrides, the resolved view, program defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel, Field

from app.access import reach_person, reach_program
from app.deps import GraphDep
from app.errors import ForbiddenError, NotFoundError, problem_responses
from app.preferences.model import SCHEMA_VERSION, Preferences, ProgramDefaults, resolve
from auth.security import CurrentPrincipal
from graph import preferences as store

router = APIRouter(tags=["preferences"])

ResourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$")]


class StoredPreferences(Preferences):
    updated_at: datetime | None = Field(
        default=None, description="When the person last set them; null if never."
    )


class EffectiveValue(BaseModel):
    value: Any
    source: str = Field(
        description="`system`, `program:<id>`, `person` or `audience:<platform id>`."
    )


class EffectivePreferences(BaseModel):
    version: int
    audience: str | None
    values: dict[str, EffectiveValue]


@router.get(
    "/v1/people/{person_id}/preferences",
    name="get",
    summary="A person's preference choices and per-audience overrides",
    responses=problem_responses(NotFoundError),
)
async def get_preferences(
    person_id: ResourceId, principal: CurrentPrincipal, graph: GraphDep, request: Request
) -> StoredPreferences:
    await reach_person(request, principal, graph, person_id)
    return StoredPreferences.model_validate(await store.get_preferences(graph, person_id))


@router.put(
    "/v1/people/{person_id}/preferences",
    name="put",
    summary="Replace a person's choices and overrides (only the person)",
    responses=problem_responses(NotFoundError),
)
async def put_preferences(
    person_id: ResourceId,
    body: Preferences,
    principal: CurrentPrincipal,
    graph: GraphDep,
    request: Request,
) -> StoredPreferences:
    await reach_person(request, principal, graph, person_id)
    stored = await store.put_preferences(
        graph,
        person_id,
        body.choices.values(),
        {audience: override.values() for audience, override in body.overrides.items()},
        datetime.now(UTC),
    )
    return StoredPreferences.model_validate(stored)


@router.get(
    "/v1/people/{person_id}/preferences/effective",
    name="effective",
    summary="The resolved preferences and the layer each value came from",
    responses=problem_responses(NotFoundError),
)
async def effective_preferences(
    person_id: ResourceId,
    principal: CurrentPrincipal,
    graph: GraphDep,
    request: Request,
    audience: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$")] = None,
) -> EffectivePreferences:
    await reach_person(request, principal, graph, person_id)
    stored = StoredPreferences.model_validate(await store.get_preferences(graph, person_id))
    defaults = await store.program_defaults_of_person(graph, person_id)
    values = resolve(stored, defaults, audience)
    return EffectivePreferences(
        version=SCHEMA_VERSION,
        audience=audience,
        values={key: EffectiveValue(**item) for key, item in values.items()},
    )


@router.put(
    "/v1/programs/{program_id}/preference-defaults",
    name="program-defaults",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a program's preference defaults (never discoverability)",
    responses=problem_responses(NotFoundError, ForbiddenError),
)
async def put_program_defaults(
    program_id: ResourceId,
    body: ProgramDefaults,
    principal: CurrentPrincipal,
    graph: GraphDep,
    request: Request,
) -> None:
    await reach_program(request, principal, graph, program_id)
    await store.set_program_defaults(graph, program_id, body.values(), datetime.now(UTC))
