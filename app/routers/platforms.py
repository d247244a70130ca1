"""Trusted partner platforms (operator admins only): issuer, keys (JWKS URL or inline JWKS) and webhook URL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.deps import GraphDep, OutboundDep
from app.errors import ConflictError, NotFoundError, UnprocessableError, problem_responses
from app.pagination import Page, PageDep, page_of
from auth.jwks_client import JwksFetchError, parse_jwks
from auth.outbound import OutboundPolicy, OutboundUrlError
from auth.security import OperatorPrincipal
from graph import platforms
from graph.values import Row

router = APIRouter(prefix="/v1/admin/platforms", tags=["platforms"])

PlatformId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$", description="Platform id.")]
ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
URL_MAX = 2000


def usable_jwks(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Keep the public EC P-256 signing keys of an inline JWKS; refuse one without any."""
    if value is None:
        return None
    try:
        keys = parse_jwks(value)
    except JwksFetchError as error:
        raise ValueError(str(error)) from error
    if not keys:
        raise ValueError("the JWKS holds no EC P-256 signing key with a kid")
    return {"keys": list(keys.values())}


class PlatformFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    issuer: str = Field(
        min_length=1, max_length=URL_MAX, description="The `iss` its bundles carry."
    )
    jwks_url: str | None = Field(
        default=None, max_length=URL_MAX, description="Where its public keys are published."
    )
    jwks: dict[str, Any] | None = Field(default=None, description="Inline JWKS, instead of a URL.")
    webhook_url: str | None = Field(
        default=None, max_length=URL_MAX, description="Receives consent notifications."
    )

    @field_validator("jwks")
    @classmethod
    def _usable_jwks(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return usable_jwks(value)


class PlatformCreate(PlatformFields):
    id: str = Field(pattern=ID_PATTERN, description="Stable platform id (used as bundle audience).")

    @model_validator(mode="after")
    def _one_key_source(self) -> PlatformCreate:
        if (self.jwks_url is None) == (self.jwks is None):
            raise ValueError("give exactly one of jwks_url and jwks")
        return self


class PlatformUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    issuer: str | None = Field(default=None, min_length=1, max_length=URL_MAX)
    jwks_url: str | None = Field(default=None, max_length=URL_MAX)
    jwks: dict[str, Any] | None = None
    webhook_url: str | None = Field(default=None, max_length=URL_MAX)

    @field_validator("jwks")
    @classmethod
    def _usable_jwks(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return usable_jwks(value)


class Platform(BaseModel):
    id: str
    name: str
    issuer: str
    jwks_url: str | None
    jwks: dict[str, Any] | None
    webhook_url: str | None
    created_at: datetime
    updated_at: datetime


def _check_urls(fields: dict[str, Any], policy: OutboundPolicy) -> None:
    """The issuer (it prefixes consent status URLs), the JWKS and the webhook URL must all be URLs
    the outbound policy lets this service call: absolute https with an acceptable host."""
    for name in ("issuer", "jwks_url", "webhook_url"):
        if fields.get(name):
            try:
                policy.check_url(fields[name])
            except OutboundUrlError as error:
                raise UnprocessableError(f"{name}: {error}") from error


def _platform(row: Row) -> Platform:
    return Platform.model_validate(row)


@router.post(
    "",
    name="create",
    status_code=status.HTTP_201_CREATED,
    summary="Register a trusted partner platform",
    responses=problem_responses(ConflictError, UnprocessableError),
)
async def create(
    body: PlatformCreate,
    operator: OperatorPrincipal,
    graph: GraphDep,
    outbound: OutboundDep,
    response: Response,
) -> Platform:
    fields = body.model_dump()
    _check_urls(fields, outbound.policy)
    row = await platforms.register_platform(graph, fields, datetime.now(UTC))
    response.headers["Location"] = f"/v1/admin/platforms/{row['id']}"
    return _platform(row)


@router.get("", name="list", summary="List registered platforms")
async def list_platforms(
    operator: OperatorPrincipal, graph: GraphDep, page: PageDep
) -> Page[Platform]:
    return page_of(_platform, await platforms.list_platforms(graph, page))


@router.get(
    "/{platform_id}", name="get", summary="One platform", responses=problem_responses(NotFoundError)
)
async def get(platform_id: PlatformId, operator: OperatorPrincipal, graph: GraphDep) -> Platform:
    row = await platforms.get_platform(graph, platform_id)
    if row is None:
        raise NotFoundError(f"No platform {platform_id!r}.")
    return _platform(row)


@router.patch(
    "/{platform_id}",
    name="update",
    summary="Change a platform's name, issuer, keys or webhook",
    responses=problem_responses(NotFoundError, ConflictError, UnprocessableError),
)
async def update(
    platform_id: PlatformId,
    body: PlatformUpdate,
    operator: OperatorPrincipal,
    graph: GraphDep,
    outbound: OutboundDep,
) -> Platform:
    changes = body.model_dump(exclude_unset=True)
    if any(changes.get(name) is None for name in ("name", "issuer") if name in changes):
        raise UnprocessableError("name and issuer cannot be removed.")
    _check_urls(changes, outbound.policy)
    if changes.get("jwks"):
        changes["jwks_url"] = None
    elif changes.get("jwks_url"):
        changes["jwks"] = None
    current = await platforms.get_platform(graph, platform_id)
    if current is None:
        raise NotFoundError(f"No platform {platform_id!r}.")
    merged = {**current, **changes}
    if merged["jwks_url"] is None and merged["jwks"] is None:
        raise UnprocessableError("A platform needs a jwks_url or an inline jwks.")
    return _platform(
        await platforms.update_platform(graph, platform_id, changes, datetime.now(UTC))
    )


@router.delete(
    "/{platform_id}",
    name="delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unregister a platform (its bundles are no longer trusted)",
    responses=problem_responses(NotFoundError),
)
async def delete(platform_id: PlatformId, operator: OperatorPrincipal, graph: GraphDep) -> None:
    await platforms.unregister_platform(graph, platform_id, datetime.now(UTC))
