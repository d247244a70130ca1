"""OAuth 2.0 client-credentials grant for partner platforms (RFC 6749 §4.4).

Errors answer as RFC 6749 §5.2 says (`{"error": …, "error_description": …}`): `invalid_client` →
401 with a Basic challenge, `invalid_scope` / `unsupported_grant_type` / `invalid_request` → 400.
Client authentication by `client_secret_post` form fields or `client_secret_basic`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.deps import GraphDep, SettingsDep
from app.errors import RateLimitedError
from app.ratelimit import RateLimiter
from auth.principals import PARTNER_SCOPES, Role
from auth.secrets import SecretVerifier, VerifierBusyError
from auth.tokens import issue_access_token
from graph.clients import find_client

router = APIRouter(tags=["oauth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a token type name, not a secret
    expires_in: int
    scope: str


class OAuthError(BaseModel):
    error: str
    error_description: str


def _oauth_error(
    status: int, error: str, description: str, extra_headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={**NO_STORE, **(extra_headers or {})},
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


@router.post(
    "/oauth/token",
    name="token",
    summary="Client-credentials grant for partner platforms",
    responses={
        400: {
            "model": OAuthError,
            "description": "invalid_request, invalid_scope or unsupported_grant_type",
        },
        401: {"model": OAuthError, "description": "invalid_client"},
        429: {
            "description": "Too many token requests (per client id, per source address or in "
            "all): problem+json with Retry-After",
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        },
    },
)
async def token(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str | None, Form(max_length=200)] = None,
    client_secret: Annotated[str | None, Form(max_length=500)] = None,
    scope: Annotated[str | None, Form(max_length=1000)] = None,
) -> JSONResponse:
    basic = _basic_credentials(request)
    if basic is not None:
        client_id, client_secret = basic
    if grant_type != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", "Only grant_type=client_credentials is supported."
        )
    if not client_id or not client_secret:
        return _oauth_error(400, "invalid_request", "client_id and client_secret are required.")
    limiter: RateLimiter = request.app.state.rate_limiter
    address = request.client.host if request.client else "unknown"
    # Address first: a flood from one address stops there and does not use up everyone's
    # ceiling; the ceiling before the client id, so a refused flood creates no per-id counters.
    await limiter.hit(
        (limiter.limits.token_address, address),
        (limiter.limits.token_global, "*"),
        (limiter.limits.token_client, client_id),
    )

    client = await find_client(graph, client_id)
    verifier: SecretVerifier = request.app.state.secret_verifier
    try:
        valid = await verifier.verify(client_secret, client.secret_hash if client else None)
    except VerifierBusyError as busy:
        raise RateLimitedError(
            "Too many token requests are being checked; retry shortly.",
            headers={"Retry-After": "1"},
        ) from busy
    if not valid or client is None or client.disabled:
        return _oauth_error(
            401,
            "invalid_client",
            "Unknown client or wrong secret.",
            {"WWW-Authenticate": 'Basic realm="rolodex"'},
        )
    requested = set(scope.split()) if scope else set(client.scopes)
    if not requested or not requested <= set(client.scopes) or not requested <= PARTNER_SCOPES:
        return _oauth_error(
            400,
            "invalid_scope",
            f"This client may request only: {' '.join(sorted(client.scopes))}.",
        )

    ttl = settings.access_token_ttl_seconds
    access_token = issue_access_token(
        request.app.state.keystore.access,
        issuer=settings.public_url,
        audience=settings.access_token_audience,
        subject=client.client_id,
        role=Role.PARTNER,
        ttl=timedelta(seconds=ttl),
        scopes=requested,
        platform_id=client.platform_id,
    )
    body = TokenResponse(
        access_token=access_token, expires_in=ttl, scope=" ".join(sorted(requested))
    )
    return JSONResponse(body.model_dump(), headers=NO_STORE)
