"""Bundle import: partner platforms push bundles in; people bring their own profile from elsewhere.

`POST /v1/imports` takes `{"bundle": "<JWS>"}` (application/json) or the raw JWS
(application/jose); `?dry_run=true` answers the same report and writes nothing. Every check of
the importer has its own problem type; a refused bundle writes nothing
about anyone (it only adds 1 to a refused-import counter, `app.refusals`).

A person also imports `{"presentation": "<SD-JWT+KB>"}`: an SD-JWT VC presentation of items
they hold, key-bound to a nonce from `POST /v1/imports/nonce` (docs/credentials.md).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app import telemetry
from app.access import ReachedImport
from app.deps import GraphDep, SettingsDep
from app.errors import (
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    problem_response,
    problem_responses,
)
from app.limits import IMPORT_ENVELOPE_BYTES
from app.refusals import count_refused_import
from auth import untrusted_json
from auth.principals import Principal
from auth.security import CurrentPrincipal, PersonPrincipal
from credentials.errors import PRESENTATION_REFUSALS
from credentials.presentation_import import PresentationPipeline, PresentationResult
from graph import credentials, people
from portability.errors import (
    IMPORT_REFUSALS,
    BundleMalformedError,
    BundleTooLargeError,
    PortabilityError,
    UnsupportedMediaTypeError,
)
from portability.importer import BundleImporter, Importer, ImportResult

router = APIRouter(tags=["imports"])
log = logging.getLogger("rolodex.imports")

IMPORTS_PATH = "/v1/imports"


class ImportReport(BaseModel):
    import_id: str | None = Field(description="Null for a dry run (nothing is stored).")
    status: str = Field(description="`applied` or `dry_run`.")
    bundle_id: str
    issuer: str
    platform_id: str
    schema_version: int
    person_id: str
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    conflicts: list[dict[str, Any]]
    warnings: list[str]
    disclosed: list[str] | None = Field(
        default=None, description="For a presentation: the paths of the disclosed items."
    )


class ImportBody(BaseModel):
    """The JSON form of an import request."""

    model_config = ConfigDict(extra="forbid", title="ImportBody")

    bundle: str | None = Field(default=None, description="The bundle, a compact JWS.")
    presentation: str | None = Field(
        default=None,
        description="Or, from the holder, an SD-JWT VC presentation with key binding "
        "(`<JWT>~<disclosure>~…~<KB-JWT>`); see docs/credentials.md. Send exactly one.",
    )


class NonceResponse(BaseModel):
    nonce: str = Field(description="Put it in the key-binding JWT's `nonce`; single use.")
    aud: str = Field(description="The `aud` the key-binding JWT must carry for this instance.")
    expires_at: datetime


def _importer_of(principal: Principal) -> Importer:
    """Who imports: a partner's client or a person (the policy admits no one else, and a partner
    only with `imports:write`: app/policy.py)."""
    if principal.is_partner:
        return Importer(
            platform_id=principal.platform_id, subject=principal.subject, role=principal.role.value
        )
    return Importer(
        person_id=principal.person_id, subject=principal.subject, role=principal.role.value
    )


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BundleTooLargeError(f"The request is larger than {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BundleTooLargeError(f"The request is larger than {limit} bytes.")
    return bytes(body)


def _token_from(raw: bytes, content_type: str) -> tuple[str, str]:
    """(`bundle` or `presentation`, the token)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BundleMalformedError("The request is not valid UTF-8.") from error
    media = content_type.split(";")[0].strip().lower()
    if media == "application/jose":
        return "bundle", text.strip()
    if media in ("application/json", ""):
        try:
            document = untrusted_json.loads(text)
        except untrusted_json.UntrustedJsonError as error:
            raise BundleMalformedError(f"The request body is refused: {error}") from error
        if (
            not isinstance(document, dict)
            or len(document) != 1
            or next(iter(document)) not in ("bundle", "presentation")
            or not isinstance(next(iter(document.values())), str)
        ):
            raise BundleMalformedError(
                'Send {"bundle": "<compact JWS>"}, {"presentation": "<SD-JWT+KB>"} '
                "or the JWS as application/jose.",
            )
        kind, token = next(iter(document.items()))
        return str(kind), str(token).strip()
    raise UnsupportedMediaTypeError("Send application/json or application/jose.")


async def _refused(
    request: Request, error: PortabilityError, importer: Importer, token: str | None, dry_run: bool
) -> JSONResponse:
    telemetry.count_import("rejected", error.slug)
    await count_refused_import(
        request.app.state.graph,
        problem=error.slug,
        partner_platform_id=importer.platform_id,
        token=token,
        dry_run=dry_run,
    )
    return problem_response(
        request, slug=error.slug, title=error.title, status=error.status, detail=error.detail
    )


def _documented(*errors: type[PortabilityError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the import refusals, grouped by status (from the error classes)."""
    by_status: dict[int, list[str]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error.slug)
    return {
        status_code: {
            "description": ", ".join(slugs),
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
        for status_code, slugs in sorted(by_status.items())
    }


@router.post(
    "/v1/imports",
    name="create",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportReport,
    summary="Import a bundle (partner with imports:write, or a person's own bundle)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ImportBody.model_json_schema()},
                "application/jose": {
                    "schema": {"type": "string", "description": "The compact JWS."}
                },
            },
        }
    },
    responses={
        200: {"model": ImportReport, "description": "Dry run: the report, nothing written."},
        **problem_responses(ForbiddenError, NotFoundError, RateLimitedError),
        **_documented(*dict.fromkeys((*IMPORT_REFUSALS, *PRESENTATION_REFUSALS))),
    },
)
async def create(
    request: Request,
    principal: CurrentPrincipal,
    response: Response,
    dry_run: Annotated[bool, Query(description="Report what would change; write nothing.")] = False,
) -> Any:  # an ImportReport, or the problem of the check that failed
    importer = _importer_of(principal)
    try:
        await request.app.state.rate_limiter.hit(
            (request.app.state.rate_limiter.limits.imports, f"{principal.role}:{principal.subject}")
        )
    except RateLimitedError:
        telemetry.count_import("rejected", RateLimitedError.slug)
        raise
    settings = request.app.state.settings
    pipeline: BundleImporter = request.app.state.bundle_importer
    # A refused bundle writes nothing about anyone: the refused-import counter (no personal data),
    # the Prometheus metric and the log are its record (the pipeline logs its own checks).
    try:
        raw = await _read_capped(request, settings.import_max_bytes + IMPORT_ENVELOPE_BYTES)
        kind, token = _token_from(raw, request.headers.get("content-type", ""))
    except PortabilityError as error:
        log.warning(
            "import rejected",
            extra={
                "problem": error.code,
                "importer_role": principal.role.value,
                "dry_run": dry_run,
            },
        )
        return await _refused(request, error, importer, None, dry_run)
    try:
        if kind == "presentation":
            presentations: PresentationPipeline = request.app.state.presentations
            result: ImportResult | PresentationResult = await presentations.run(
                token, importer, dry_run=dry_run
            )
        else:
            result = await pipeline.run(token, importer, dry_run=dry_run)
    except PortabilityError as error:
        return await _refused(request, error, importer, token, dry_run)
    telemetry.count_import("dry_run" if dry_run else "applied")
    if dry_run:
        response.status_code = status.HTTP_200_OK
    else:
        response.headers["Location"] = f"/v1/imports/{result.as_dict()['import_id']}"
    return ImportReport.model_validate(result.as_dict())


@router.post(
    "/v1/imports/nonce",
    name="nonce",
    status_code=status.HTTP_201_CREATED,
    summary="A fresh nonce (and the aud) for the key-binding JWT of a presentation to import",
    responses=problem_responses(ForbiddenError, RateLimitedError),
)
async def nonce(
    principal: PersonPrincipal, graph: GraphDep, settings: SettingsDep, request: Request
) -> NonceResponse:
    """Single use, short-lived, and only for the person asking: a presentation imported with it
    must be sent with the same person's token."""
    assert principal.person_id is not None
    limiter = request.app.state.rate_limiter
    await limiter.hit((limiter.limits.imports, f"{principal.role}:{principal.subject}"))
    if await people.get_person(graph, principal.person_id) is None:
        raise NotFoundError(f"No person {principal.person_id!r}.")
    now = datetime.now(UTC)
    expires_at = now + timedelta(seconds=settings.presentation_nonce_ttl_seconds)
    await credentials.sweep_nonces(graph, now - timedelta(hours=1))
    value = await credentials.create_nonce(
        graph,
        person_id=principal.person_id,
        aud=settings.public_url,
        issued_at=now,
        expires_at=expires_at,
    )
    return NonceResponse(nonce=value, aud=settings.public_url, expires_at=expires_at)


@router.get(
    "/v1/imports/{import_id}",
    name="get",
    summary="The report of an applied import",
    responses=problem_responses(NotFoundError),
)
async def get(row: ReachedImport) -> ImportReport:
    return ImportReport.model_validate(
        {**row["report"], "import_id": row["id"], "status": "applied"}
    )
