"""FastAPI security dependencies: `CurrentPrincipal`, `require_scopes(…)`, `AdminPrincipal`.

Handlers declare what they need in their signature; the bearer scheme also documents the security
requirement in OpenAPI. The authenticator lives on `app.state.authenticator` (set by the lifespan).
Which caller may do what is decided by the policy (`app/policy.py`), which authenticates through
`authenticate_request`: once per request, and a partner client only while its platform is
registered and the client enabled (`graph/clients.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from auth.authenticator import Authenticator
from auth.errors import (
    ForbiddenRoleError,
    InsufficientScopeError,
    InvalidTokenError,
    NotAuthenticatedError,
)
from auth.principals import Principal, Role, Scope
from graph.clients import client_in_good_standing

bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="An access token (`typ` at+jwt): `rolodex tokens issue` for people and admins, "
    "`POST /oauth/token` (client credentials) for partner platforms.",
)


async def _authenticate(request: Request, token: str) -> Principal:
    authenticator: Authenticator = request.app.state.authenticator
    principal = await authenticator.authenticate(token)
    if principal.is_partner:
        assert principal.platform_id is not None
        if not await client_in_good_standing(
            request.app.state.graph, principal.subject, principal.platform_id
        ):
            raise InvalidTokenError(
                "The client is disabled or its platform is no longer registered.",
                "client-disabled",
            )
    request.state.principal = principal
    return principal


async def authenticate_request(request: Request) -> Principal:
    """The caller of this request (authenticated once; 401 without a usable bearer token)."""
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticatedError()
    return await _authenticate(request, token.strip())


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    if credentials is None or not credentials.credentials:
        raise NotAuthenticatedError()
    return await _authenticate(request, credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_scopes(*scopes: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through partner clients holding every scope named."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.is_partner:
            raise ForbiddenRoleError("Only partner platform clients may call this operation.")
        missing = [scope for scope in scopes if scope not in principal.scopes]
        if missing:
            raise InsufficientScopeError(missing)
        return principal

    return check


async def require_admin(principal: CurrentPrincipal) -> Principal:
    if principal.role is not Role.ADMIN:
        raise ForbiddenRoleError("Only program admins may call this operation.")
    return principal


async def require_operator(principal: CurrentPrincipal) -> Principal:
    if not principal.administers_all:
        raise ForbiddenRoleError(
            "Only operators (admins of every program) may call this operation."
        )
    return principal


async def require_person(principal: CurrentPrincipal) -> Principal:
    if principal.person_id is None:
        raise ForbiddenRoleError(
            "Only a signed-in person (mentee or mentor) may call this operation."
        )
    return principal


AdminPrincipal = Annotated[Principal, Depends(require_admin)]
PersonPrincipal = Annotated[Principal, Depends(require_person)]
OperatorPrincipal = Annotated[Principal, Depends(require_operator)]

# Partner clients holding one scope, as handler signatures read best.
BundleReader = Annotated[Principal, Depends(require_scopes(Scope.BUNDLES_READ))]
ImportWriter = Annotated[Principal, Depends(require_scopes(Scope.IMPORTS_WRITE))]
ConsentReader = Annotated[Principal, Depends(require_scopes(Scope.CONSENTS_READ))]
