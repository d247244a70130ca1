"""Bundle import: partner platforms push bundles in; people bring their own profile from elsewhere.

`POST /v1/imports` takes `{"bundle": "<JWS>"}` (application/json) or the raw JWS
(application/jose); `?dry_run=true` answers the same report and writes nothing. Every check of
the importer has its own problem type; a refused bundle writes nothing
about anyone (it only adds 1 to a refused-import counter, `app.refusals`).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app import telemetry
from app.deps import GraphDep
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
from auth.principals import Principal, Role, Scope
from auth.security import CurrentPrincipal
from graph import imports
from portability.errors import (
    IMPORT_REFUSALS,
    BundleMalformedError,
    BundleTooLargeError,
    PortabilityError,
    UnsupportedMediaTypeError,
)
from portability.importer import BundleImporter, Importer

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


class ImportBody(BaseModel):
    """The JSON form of an import request."""

    model_config = ConfigDict(extra="forbid", title="ImportBody")

    bundle: str = Field(description="The bundle, a compact JWS.")


def _importer_of(principal: Principal) -> Importer:
    if principal.role is Role.PARTNER:
        if Scope.IMPORTS_WRITE.value not in principal.scopes:
            raise ForbiddenError("Pushing bundles needs the imports:write scope.")
        return Importer(
            platform_id=principal.platform_id, subject=principal.subject, role=principal.role.value
        )
    if principal.person_id is not None:
        return Importer(
            person_id=principal.person_id, subject=principal.subject, role=principal.role.value
        )
    raise ForbiddenError("Only partner platforms and people import bundles.")


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


def _token_from(raw: bytes, content_type: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BundleMalformedError("The request is not valid UTF-8.") from error
    media = content_type.split(";")[0].strip().lower()
    if media == "application/jose":
        return text.strip()
    if media in ("application/json", ""):
        try:
            document = untrusted_json.loads(text)
        except untrusted_json.UntrustedJsonError as error:
            raise BundleMalformedError(f"The request body is refused: {error}") from error
        if (
            not isinstance(document, dict)
            or not isinstance(document.get("bundle"), str)
            or set(document) != {"bundle"}
        ):
            raise BundleMalformedError(
                'Send {"bundle": "<compact JWS>"} or the JWS as application/jose.',
            )
        return str(document["bundle"]).strip()
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
        **_documented(*IMPORT_REFUSALS),
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
        token = _token_from(raw, request.headers.get("content-type", ""))
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
        result = await pipeline.run(token, importer, dry_run=dry_run)
    except PortabilityError as error:
        return await _refused(request, error, importer, token, dry_run)
    telemetry.count_import("dry_run" if dry_run else "applied")
    if dry_run:
        response.status_code = status.HTTP_200_OK
    else:
        response.headers["Location"] = f"/v1/imports/{result.import_id}"
    return ImportReport.model_validate(result.as_dict())


@router.get(
    "/v1/imports/{import_id}",
    name="get",
    summary="The report of an applied import",
    responses=problem_responses(NotFoundError),
)
async def get(
    import_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$")],
    principal: CurrentPrincipal,
    graph: GraphDep,
) -> ImportReport:
    row = await imports.get_import(graph, import_id)
    allowed = row is not None and (
        principal.administers_all
        or (principal.is_partner and principal.platform_id == row["platform_id"])
        or (principal.person_id is not None and principal.person_id == row["person_id"])
    )
    if row is None or not allowed:
        raise NotFoundError(f"No import with id {import_id!r}.")
    return ImportReport.model_validate(
        {**row["report"], "import_id": row["id"], "status": "applied"}
    )
