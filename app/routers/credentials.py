"""SD-JWT VC credentials: issuing to the person, their status lists, issuer and type metadata.

`POST /v1/me/credentials` issues the portable profile as an SD-JWT VC bound to the caller's
wallet key; `GET` lists their credentials, `DELETE …/{id}` revokes one (its status bit flips).
Status lists, the issuer metadata and the type metadata are public documents: any verifier
fetches them without an account (docs/credentials.md).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from app.deps import GraphDep, SettingsDep
from app.errors import ForbiddenError, NotFoundError, UnprocessableError, problem_responses
from app.pagination import Page, PageDep, page_of
from auth.security import CurrentPrincipal, PersonPrincipal
from credentials import metadata, statuslist
from credentials.issuer import IssuerConfig, issue
from credentials.jwk import JwkError, public_p256
from graph import credentials as store
from graph import people
from portability.documents import sign_document

router = APIRouter(tags=["credentials"])

CredentialId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
Section = Literal["profile", "contacts", "mentorships", "sessions", "outcomes"]
ALL_SECTIONS: tuple[Section, ...] = ("profile", "contacts", "mentorships", "sessions", "outcomes")
PUBLIC_MAX_AGE_SECONDS = 300


class HolderJwk(BaseModel):
    model_config = ConfigDict(extra="allow")

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str = Field(max_length=64)
    y: str = Field(max_length=64)


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_jwk: HolderJwk = Field(
        description="The wallet's public EC P-256 key (`rolodex wallet keygen`); becomes `cnf.jwk`."
    )
    sections: list[Section] = Field(
        default_factory=lambda: list(ALL_SECTIONS),
        min_length=1,
        max_length=5,
        description="Which sections the credential carries; default all.",
    )


class IssuedCredential(BaseModel):
    credential_id: str
    credential: str = Field(description="The SD-JWT VC, compact: `<JWT>~<disclosure>~…~`.")
    vct: str
    expires_at: datetime


class CredentialSummary(BaseModel):
    id: str
    vct: str
    sections: list[str] | None = None
    status: Literal["valid", "revoked"]
    list_id: str
    idx: int
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class IssuerMetadata(BaseModel):
    issuer: str
    jwks: dict[str, list[dict[str, str]]]


@router.post(
    "/v1/me/credentials",
    name="issue",
    status_code=status.HTTP_201_CREATED,
    summary="Issue my portable profile as an SD-JWT VC bound to my wallet key",
    responses=problem_responses(NotFoundError, UnprocessableError),
)
async def issue_credential(
    body: IssueRequest,
    principal: PersonPrincipal,
    graph: GraphDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> IssuedCredential:
    try:
        holder = public_p256(body.holder_jwk.model_dump())
    except JwkError as error:
        raise UnprocessableError(f"holder_jwk: {error}") from error
    assert principal.person_id is not None
    issued = await issue(
        graph,
        request.app.state.keystore,
        IssuerConfig(
            public_url=settings.public_url,
            ttl=timedelta(seconds=settings.credential_ttl_seconds),
            status_list_size=settings.status_list_size,
        ),
        person_id=principal.person_id,
        holder_jwk=holder,
        sections=list(body.sections),
        now=datetime.now(UTC).replace(microsecond=0),
    )
    response.headers["Location"] = f"/v1/me/credentials/{issued.credential_id}"
    return IssuedCredential.model_validate(issued, from_attributes=True)


@router.get(
    "/v1/me/credentials",
    name="list",
    summary="My credentials, oldest first",
    responses=problem_responses(ForbiddenError),
)
async def list_credentials(
    page: PageDep, principal: CurrentPrincipal, graph: GraphDep
) -> Page[CredentialSummary]:
    # the role is checked here, after the query is validated (a bad `limit` is a 422 for anyone)
    if principal.person_id is None:
        raise ForbiddenError("Only a signed-in person (mentee or mentor) holds credentials.")
    if await people.get_person(graph, principal.person_id) is None:
        raise NotFoundError(f"No person {principal.person_id!r}.")
    rows = await store.list_for_person(graph, principal.person_id, page)
    return page_of(CredentialSummary.model_validate, rows)


@router.delete(
    "/v1/me/credentials/{credential_id}",
    name="revoke",
    summary="Revoke one of my credentials (its status-list bit flips)",
    responses=problem_responses(NotFoundError),
)
async def revoke_credential(
    credential_id: CredentialId, principal: PersonPrincipal, graph: GraphDep
) -> CredentialSummary:
    assert principal.person_id is not None
    row = await store.revoke(graph, principal.person_id, credential_id, datetime.now(UTC))
    if row is None:
        raise NotFoundError(f"You hold no credential with id {credential_id!r}.")
    return CredentialSummary.model_validate(row)


@router.get(
    "/v1/status-lists/{list_id}",
    name="status-list",
    summary="A status list token (application/statuslist+jwt), public",
    response_class=Response,
    responses={
        200: {
            "description": "The signed Status List Token.",
            "content": {statuslist.MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        **problem_responses(NotFoundError),
    },
)
async def status_list(
    list_id: CredentialId, graph: GraphDep, settings: SettingsDep, request: Request
) -> Response:
    found = await store.status_list(graph, list_id)
    if found is None:
        raise NotFoundError(f"No status list {list_id!r}.")
    now = int(datetime.now(UTC).timestamp())
    claims = statuslist.token_claims(
        metadata.status_list_uri(settings.public_url, list_id),
        found["size"],
        found["invalid"],
        iat=now,
        exp=now + settings.status_list_lifetime_seconds,
        ttl=settings.status_list_ttl_seconds,
    )
    token = sign_document(request.app.state.keystore, json.dumps(claims).encode(), statuslist.TYP)
    return Response(
        token,
        media_type=statuslist.MEDIA_TYPE,
        headers={"Cache-Control": f"public, max-age={settings.status_list_ttl_seconds}"},
    )


@router.get(
    metadata.ISSUER_METADATA_PATH,
    name="issuer-metadata",
    summary="SD-JWT VC issuer metadata: the issuer and its credential-signing keys",
)
async def issuer_metadata(
    settings: SettingsDep, request: Request, response: Response
) -> IssuerMetadata:
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE_SECONDS}"
    document: dict[str, Any] = metadata.issuer_metadata(
        settings.public_url, request.app.state.keystore, datetime.now(UTC)
    )
    return IssuerMetadata.model_validate(document)


@router.get(
    metadata.TYPE_PATH,
    name="type-metadata",
    summary="SD-JWT VC type metadata of the portable profile (the `vct` URL)",
)
async def type_metadata(settings: SettingsDep, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE_SECONDS}"
    return metadata.type_metadata(settings.public_url)
