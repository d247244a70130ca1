"""FastAPI security dependencies: `CurrentPrincipal`, `require_scopes(…)`, `AdminPrincipal`.

Handlers declare what they need in their signature; the bearer scheme also documents the security
requirement in OpenAPI. The authenticator lives on `app.state.authenticator` (set by the lifespan).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from auth.authenticator import Authenticator
from auth.errors import ForbiddenRoleError, InsufficientScopeError, NotAuthenticatedError
from auth.principals import Principal, Role, Scope

bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="An access token (`typ` at+jwt): `rolodex tokens issue` for people and admins, "
    "`POST /oauth/token` (client credentials) for partner platforms.",
)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise NotAuthenticatedError()
    authenticator: Authenticator = request.app.state.authenticator
    principal = await authenticator.authenticate(credentials.credentials)
    request.state.principal = principal
    return principal


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


async def require_person(principal: CurrentPrincipal) -> Principal:
    if principal.person_id is None:
        raise ForbiddenRoleError(
            "Only a signed-in person (mentee or mentor) may call this operation."
        )
    return principal


AdminPrincipal = Annotated[Principal, Depends(require_admin)]
PersonPrincipal = Annotated[Principal, Depends(require_person)]

# Partner clients holding one scope, as handler signatures read best.
BundleReader = Annotated[Principal, Depends(require_scopes(Scope.BUNDLES_READ))]
ImportWriter = Annotated[Principal, Depends(require_scopes(Scope.IMPORTS_WRITE))]
ConsentReader = Annotated[Principal, Depends(require_scopes(Scope.CONSENTS_READ))]
