"""Authentication and authorization failures, rendered by the app as problem+json.

401s carry a `WWW-Authenticate: Bearer …` challenge (RFC 6750); 403s for a missing scope say
`error="insufficient_scope"`.
"""

from __future__ import annotations

REALM = "rolodex"


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "'")


class AuthError(Exception):
    status: int = 401
    slug: str = "unauthorized"
    title: str = "Authentication required"

    def __init__(
        self, detail: str, *, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.headers = headers or {}


class NotAuthenticatedError(AuthError):
    """No credentials at all: a bare challenge, no error code (RFC 6750 §3.1)."""

    def __init__(self) -> None:
        super().__init__(
            "Send an access token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )


class InvalidTokenError(AuthError):
    slug = "invalid-token"
    title = "Invalid access token"

    def __init__(self, detail: str, code: str) -> None:
        challenge = (
            f'Bearer realm="{REALM}", error="invalid_token", error_description="{_quote(detail)}"'
        )
        super().__init__(detail, code=code, headers={"WWW-Authenticate": challenge})


class InsufficientScopeError(AuthError):
    status = 403
    slug = "insufficient-scope"
    title = "Insufficient scope"

    def __init__(self, needed: list[str]) -> None:
        scopes = " ".join(needed)
        challenge = f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scopes}"'
        super().__init__(
            f"This operation needs the scope(s): {scopes}.", headers={"WWW-Authenticate": challenge}
        )


class ForbiddenRoleError(AuthError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
