"""Consent grants, their receipts, revocation, and the public status check.

Only the person grants and revokes; an admin may record a grant on a person's behalf under the
documented procedure (collection method `admin-recorded` with evidence, docs/consent.md). Partners
holding `consents:read` see the grants made to their own platform. The status endpoint is public:
it tells a holder of a receipt or bundle whether the consent still stands, and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.access import ReachedConsent, enforce_reach, grant_reaches, reach_person
from app.deps import GraphDep, SettingsDep
from app.errors import ForbiddenError, NotFoundError, UnprocessableError, problem_responses
from app.models.common import UtcDatetime
from app.pagination import Page, PageDep, page_of
from app.policy import Reach
from app.security_setup import issuer_context
from auth.principals import Principal
from auth.security import CurrentPrincipal
from graph import consents
from graph.audit import AuditActor
from graph.consents import consent_state
from graph.values import Row
from portability.consent import CollectionMethod, GrantRequest, grant_with_receipt
from portability.vocabulary import AUDIENCE_PATTERN, ID_PATTERN, Section

router = APIRouter(tags=["consents"])

ResourceId = Annotated[str, Path(pattern=ID_PATTERN)]


class ConsentGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audience: str = Field(
        pattern=AUDIENCE_PATTERN, description="A registered platform id, or `self`."
    )
    scopes: list[Section] = Field(min_length=1, max_length=6)
    purpose: str = Field(
        min_length=3, max_length=500, description="Why the data is shared, in plain words."
    )
    expires_at: UtcDatetime | None = Field(
        default=None, description="When the grant lapses by itself."
    )
    collection_method: CollectionMethod = "api-explicit"
    evidence: str | None = Field(
        default=None,
        max_length=1000,
        description="Required for `admin-recorded`: where the person's consent is kept.",
    )

    @model_validator(mode="after")
    def _unique_scopes(self) -> ConsentGrant:
        if len(set(self.scopes)) != len(self.scopes):
            raise ValueError("scopes must not repeat")
        return self


class Consent(BaseModel):
    id: str
    person_id: str
    audience: str
    scopes: list[str]
    purpose: str
    granted_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    status: str = Field(description="`active`, `revoked` or `expired`.")
    policy_version: str
    collection_method: str
    receipt_id: str
    status_url: str


class ConsentWithReceipt(BaseModel):
    consent: Consent
    receipt: str = Field(
        description="The consent receipt: a compact JWS (typ rolodex-consent-receipt+jwt)."
    )


class ConsentStatus(BaseModel):
    consent_id: str
    status: str = Field(description="`active`, `revoked` or `expired`.")
    since: datetime
    checked_at: datetime


def status_url(settings_public_url: str, consent_id: str) -> str:
    return f"{settings_public_url}/v1/consents/{consent_id}/status"


def _consent(row: Row, public_url: str, now: datetime) -> Consent:
    state, _ = consent_state(row, now)
    return Consent.model_validate(
        {**row, "status": state, "status_url": status_url(public_url, row["id"])}
    )


def _actor(principal: Principal) -> AuditActor:
    return AuditActor(subject=principal.subject, role=principal.role.value)


@router.post(
    "/v1/people/{person_id}/consents",
    name="grant",
    status_code=status.HTTP_201_CREATED,
    summary="Grant consent to an audience and get its signed receipt",
    responses=problem_responses(NotFoundError, ForbiddenError, UnprocessableError),
)
async def grant(
    person_id: ResourceId,
    body: ConsentGrant,
    principal: CurrentPrincipal,
    graph: GraphDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> ConsentWithReceipt:
    now = datetime.now(UTC)
    await reach_person(request, principal, graph, person_id)  # the person, or an operator
    if principal.person_id != person_id:
        if body.collection_method != "admin-recorded" or not body.evidence:
            raise ForbiddenError(
                "An admin records consent only with collection_method 'admin-recorded' and the evidence of it."
            )
    elif body.collection_method == "admin-recorded":
        raise UnprocessableError(
            "'admin-recorded' is for admins recording consent on a person's behalf."
        )
    if body.expires_at is not None and body.expires_at <= now:
        raise UnprocessableError("expires_at must lie in the future.")
    request_ = GrantRequest(
        person_id=person_id,
        audience=body.audience,
        scopes=body.scopes,
        purpose=body.purpose,
        collection_method=body.collection_method,
        expires_at=body.expires_at.astimezone(UTC) if body.expires_at else None,
        evidence=body.evidence,
    )
    row = await grant_with_receipt(
        graph,
        request.app.state.keystore,
        issuer_context(settings),
        request_,
        now=now,
        actor=_actor(principal),
    )
    receipt = row["receipt"]
    response.headers["Location"] = f"/v1/consents/{row['id']}"
    return ConsentWithReceipt(consent=_consent(row, settings.public_url, now), receipt=receipt)


@router.get(
    "/v1/people/{person_id}/consents",
    name="list",
    summary="A person's consent grants",
    responses=problem_responses(NotFoundError),
)
async def list_for_person(
    person_id: ResourceId,
    principal: CurrentPrincipal,
    graph: GraphDep,
    settings: SettingsDep,
    page: PageDep,
    request: Request,
) -> Page[Consent]:
    # A partner reaches the person's grants to its own platform (possibly none), no others.
    reaches = grant_reaches(principal, person_id, principal.platform_id)
    enforce_reach(request, principal, reaches, "person", person_id)
    audience = principal.platform_id if Reach.PLATFORM in reaches else None
    now = datetime.now(UTC)
    rows = await consents.list_consents(graph, person_id, page, audience=audience)
    return page_of(lambda row: _consent(row, settings.public_url, now), rows)


@router.get(
    "/v1/consents/{consent_id}",
    name="get",
    summary="One consent grant",
    responses=problem_responses(NotFoundError),
)
async def get(row: ReachedConsent, settings: SettingsDep) -> ConsentWithReceipt:
    return ConsentWithReceipt(
        consent=_consent(row, settings.public_url, datetime.now(UTC)), receipt=row["receipt"]
    )


@router.delete(
    "/v1/consents/{consent_id}",
    name="revoke",
    summary="Revoke a consent at once (idempotent); platforms that received data are notified",
    responses=problem_responses(NotFoundError),
)
async def revoke(
    row: ReachedConsent,
    principal: CurrentPrincipal,
    graph: GraphDep,
    settings: SettingsDep,
    request: Request,
) -> Consent:
    now = datetime.now(UTC)
    revoked, queued = await consents.revoke_consent(graph, row["id"], now, _actor(principal))
    worker = getattr(request.app.state, "webhook_worker", None)
    if queued and worker is not None:
        worker.kick()
    return _consent(revoked, settings.public_url, now)


@router.get(
    "/v1/consents/{consent_id}/status",
    name="status",
    summary="Public: is this consent active, revoked or expired? (no personal data)",
    responses=problem_responses(NotFoundError),
)
async def consent_status(
    consent_id: ResourceId, graph: GraphDep, response: Response
) -> ConsentStatus:
    row = await consents.get_consent(graph, consent_id)
    if row is None:
        raise NotFoundError(f"No consent {consent_id!r}.")
    now = datetime.now(UTC)
    state, since = consent_state(row, now)
    response.headers["Cache-Control"] = "no-store"
    return ConsentStatus(consent_id=consent_id, status=state, since=since, checked_at=now)
