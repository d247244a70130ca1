"""Portable profile export: signed bundles for the person, or for a platform they consented to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from app import telemetry
from app.access import enforce_reach, grant_reaches
from app.deps import GraphDep, SettingsDep
from app.errors import (
    NotFoundError,
    RateLimitedError,
    UnprocessableError,
    problem_responses,
)
from app.preferences.sharing import withheld_sections
from app.security_setup import issuer_context
from app.settings import Settings
from auth.principals import Principal
from auth.security import CurrentPrincipal, PersonPrincipal
from portability.errors import ConsentRequiredError
from portability.exporter import ExportResult, export_bundle
from portability.vocabulary import AUDIENCE_PATTERN, ID_PATTERN, SECTIONS, Section

router = APIRouter(tags=["bundles"])

ResourceId = Annotated[str, Path(pattern=ID_PATTERN)]


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audience: str = Field(
        pattern=AUDIENCE_PATTERN, description="`self` or the receiving platform id."
    )
    scopes: list[Section] | None = Field(
        default=None,
        min_length=1,
        max_length=6,
        description="Defaults to every scope the consent covers.",
    )


class ExportResponse(BaseModel):
    bundle_id: str
    bundle: str = Field(description="The compact JWS (typ rolodex-bundle+jwt).")
    audience: str
    scopes: list[str]
    expires_at: datetime


async def _export(
    request: Request,
    principal: Principal,
    graph: GraphDep,
    settings: Settings,
    person_id: str,
    audience: str,
    scopes: list[Section] | None,
) -> ExportResult:
    try:
        await request.app.state.rate_limiter.hit(
            (request.app.state.rate_limiter.limits.export, f"{principal.role}:{principal.subject}")
        )
    except RateLimitedError:
        telemetry.count_export("rate_limited", audience)
        raise
    try:
        result = await export_bundle(
            graph,
            request.app.state.keystore,
            issuer_context(settings),
            person_id=person_id,
            audience=audience,
            scopes=scopes,
            actor=principal.subject,
            actor_role=principal.role.value,
            withheld=await withheld_sections(graph, person_id, audience),
        )
    except ConsentRequiredError:
        telemetry.count_export("consent_required", audience)
        raise
    telemetry.count_export("exported", audience)
    return result


@router.post(
    "/v1/people/{person_id}/bundles",
    name="export",
    status_code=status.HTTP_201_CREATED,
    summary="Export a signed portable bundle (the person, or a partner within consent)",
    responses=problem_responses(NotFoundError, ConsentRequiredError, RateLimitedError),
)
async def export(
    person_id: ResourceId,
    body: ExportRequest,
    principal: CurrentPrincipal,
    graph: GraphDep,
    settings: SettingsDep,
    request: Request,
) -> ExportResponse:
    enforce_reach(
        request,
        principal,
        grant_reaches(principal, person_id, body.audience),
        "person",
        person_id,
        refusal_detail="A platform may export bundles only for itself.",
    )
    result = await _export(
        request,
        principal,
        graph,
        settings,
        person_id,
        body.audience,
        list(body.scopes) if body.scopes else None,
    )
    return ExportResponse.model_validate(result, from_attributes=True)


@router.get(
    "/v1/me/bundle",
    name="download",
    summary="Download my own portable bundle as a file (application/jose)",
    response_class=Response,
    responses={
        200: {
            "content": {"application/jose": {"schema": {"type": "string"}}},
            "description": "The bundle (compact JWS).",
        },
        **problem_responses(NotFoundError, RateLimitedError),
    },
)
async def download(
    principal: PersonPrincipal,
    graph: GraphDep,
    settings: SettingsDep,
    request: Request,
    scopes: Annotated[
        str | None,
        Query(
            max_length=200,
            description=f"Comma-separated scopes; default all. Valid: {', '.join(SECTIONS)}.",
        ),
    ] = None,
) -> Response:
    asked = {part.strip() for part in scopes.split(",") if part.strip()} if scopes else set()
    if not asked <= set(SECTIONS):
        raise UnprocessableError(
            f"Unknown scopes: {', '.join(sorted(asked - set(SECTIONS)))}; "
            f"the valid scopes are {', '.join(SECTIONS)}."
        )
    chosen = [section for section in SECTIONS if section in asked] or None
    assert principal.person_id is not None
    result = await _export(request, principal, graph, settings, principal.person_id, "self", chosen)
    return Response(
        content=result.bundle,
        media_type="application/jose",
        headers={
            "Content-Disposition": f'attachment; filename="rolodex-{principal.person_id}.jose"',
            "Cache-Control": "no-store",
        },
    )
