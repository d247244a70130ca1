"""Bundle import: partner platforms push bundles in; people bring their own profile from elsewhere.

`POST /v1/imports` takes `{"bundle": "<JWS>"}` (application/json) or the raw JWS
(application/jose); `?dry_run=true` answers the same report and writes nothing. Every check of
the importer has its own problem type; a refused bundle writes nothing.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

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
from auth import untrusted_json
from auth.principals import Principal, Role, Scope
from auth.security import CurrentPrincipal
from export.importer import BundleImporter, Importer
from export.verify import BundleError
from graph import imports

router = APIRouter(tags=["imports"])
log = logging.getLogger("rolodex.imports")

IMPORTS_PATH = "/v1/imports"

# problem slug → HTTP status
PROBLEM_STATUS: dict[str, int] = {
    "bundle-too-large": 413,
    "bundle-malformed": 400,
    "algorithm-not-allowed": 400,
    "issuer-untrusted": 403,
    "key-not-found": 403,
    "signature-invalid": 403,
    "audience-mismatch": 422,
    "bundle-expired": 422,
    "bundle-not-yet-valid": 422,
    "bundle-replayed": 409,
    "consent-missing": 422,
    "consent-invalid": 422,
    "consent-revoked": 403,
    "consent-unverifiable": 502,
    "scope-not-granted": 403,
    "schema-invalid": 422,
    "identity-conflict": 409,
    "unsupported-media-type": 415,
}
TITLES: dict[str, str] = {slug: slug.replace("-", " ").capitalize() for slug in PROBLEM_STATUS}


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
        raise BundleError("bundle-too-large", f"The request is larger than {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BundleError("bundle-too-large", f"The request is larger than {limit} bytes.")
    return bytes(body)


def _token_from(raw: bytes, content_type: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BundleError("bundle-malformed", "The request is not valid UTF-8.") from error
    media = content_type.split(";")[0].strip().lower()
    if media == "application/jose":
        return text.strip()
    if media in ("application/json", ""):
        try:
            document = untrusted_json.loads(text)
        except untrusted_json.UntrustedJsonError as error:
            raise BundleError(
                "bundle-malformed", f"The request body is refused: {error}"
            ) from error
        if (
            not isinstance(document, dict)
            or not isinstance(document.get("bundle"), str)
            or set(document) != {"bundle"}
        ):
            raise BundleError(
                "bundle-malformed",
                'Send {"bundle": "<compact JWS>"} or the JWS as application/jose.',
            )
        return str(document["bundle"]).strip()
    raise BundleError("unsupported-media-type", "Send application/json or application/jose.")


def _refused(request: Request, error: BundleError) -> JSONResponse:
    telemetry.count_import("rejected", error.code)
    return problem_response(
        request,
        slug=error.code,
        title=TITLES.get(error.code, "Bundle refused"),
        status=PROBLEM_STATUS.get(error.code, 422),
        detail=error.detail,
    )


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
                "application/json": {"schema": {"$ref": "#/components/schemas/ImportBody"}},
                "application/jose": {
                    "schema": {"type": "string", "description": "The compact JWS."}
                },
            },
        }
    },
    responses={
        200: {"model": ImportReport, "description": "Dry run: the report, nothing written."},
        **problem_responses(ForbiddenError, NotFoundError, RateLimitedError),
        400: {
            "description": "bundle-malformed, algorithm-not-allowed",
            "content": {"application/problem+json": {}},
        },
        409: {
            "description": "bundle-replayed, identity-conflict",
            "content": {"application/problem+json": {}},
        },
        413: {"description": "bundle-too-large", "content": {"application/problem+json": {}}},
        415: {"description": "unsupported media type", "content": {"application/problem+json": {}}},
        422: {
            "description": "audience, time, consent or schema checks failed",
            "content": {"application/problem+json": {}},
        },
        502: {"description": "consent-unverifiable", "content": {"application/problem+json": {}}},
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
    # A refused bundle writes nothing to the graph: the metric and the log are its record
    # (the pipeline logs the refusals of its own checks).
    try:
        raw = await _read_capped(request, settings.import_max_bytes + IMPORT_ENVELOPE_BYTES)
        token = _token_from(raw, request.headers.get("content-type", ""))
    except BundleError as error:
        log.warning(
            "import rejected",
            extra={
                "problem": error.code,
                "importer_role": principal.role.value,
                "dry_run": dry_run,
            },
        )
        return _refused(request, error)
    try:
        report = await pipeline.run(token, importer, dry_run=dry_run)
    except BundleError as error:
        return _refused(request, error)
    telemetry.count_import("dry_run" if dry_run else "applied")
    if dry_run:
        response.status_code = status.HTTP_200_OK
    else:
        response.headers["Location"] = f"/v1/imports/{report['import_id']}"
    return ImportReport.model_validate(report)


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
