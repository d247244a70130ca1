"""Access tokens: JWTs in the RFC 9068 shape (`typ` `at+jwt`), signed with the `access` key ring.

Claims: `iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`, `scope` (space-separated), `role`, and
`platform_id` for partners, `programs` for admins. Verification pins ES256, checks `typ`, picks the
key by `kid` from our own ring, requires the claims, allows 30 s of clock skew and refuses a
lifetime (`exp - iat`) longer than the maximum (default 1 h).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from auth import jws
from auth.keys import KeyRing
from auth.principals import Principal, Role

ACCESS_TOKEN_TYP = "at+jwt"  # noqa: S105 - a media type, not a secret
MAX_ACCESS_TOKEN_BYTES = 4096
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti", "role")
DEFAULT_MAX_TTL_SECONDS = 3600
"""Access tokens live at most this long (`exp - iat`; ROLODEX_ACCESS_TOKEN_MAX_TTL_SECONDS)."""


def new_token_id() -> str:
    return secrets.token_urlsafe(16)


def issue_access_token(
    ring: KeyRing,
    *,
    issuer: str,
    audience: str,
    subject: str,
    role: Role,
    ttl: timedelta,
    scopes: Iterable[str] = (),
    platform_id: str | None = None,
    programs: Iterable[str] = (),
    now: datetime | None = None,
) -> str:
    moment = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "iat": int(moment.timestamp()),
        "nbf": int(moment.timestamp()),
        "exp": int((moment + ttl).timestamp()),
        "jti": new_token_id(),
        "role": role.value,
        "scope": " ".join(sorted(set(scopes))),
    }
    if platform_id is not None:
        claims["platform_id"] = platform_id
        claims["client_id"] = subject
    program_list = sorted(set(programs))
    if program_list:
        claims["programs"] = program_list
    return jws.sign(claims, ring.active, ACCESS_TOKEN_TYP)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Build the principal; refuse claim sets that do not describe one coherently."""
    try:
        role = Role(claims["role"])
    except (KeyError, ValueError) as error:
        raise jws.JwsError("claims-invalid", "The token carries no known role.") from error
    scope = claims.get("scope", "")
    programs = claims.get("programs", [])
    if (
        not isinstance(scope, str)
        or not isinstance(programs, list)
        or not all(isinstance(p, str) for p in programs)
    ):
        raise jws.JwsError("claims-invalid", "The scope or programs claim is malformed.")
    subject, token_id = claims.get("sub"), claims.get("jti")
    if not isinstance(subject, str) or not subject or not isinstance(token_id, str):
        raise jws.JwsError("claims-invalid", "The sub and jti claims must be strings.")
    platform_id = claims.get("platform_id")
    if role is Role.PARTNER and not isinstance(platform_id, str):
        raise jws.JwsError("claims-invalid", "A partner token must name its platform.")
    return Principal(
        subject=subject,
        role=role,
        token_id=token_id,
        scopes=frozenset(scope.split()),
        platform_id=platform_id if role is Role.PARTNER else None,
        programs=frozenset(programs) if role is Role.ADMIN else frozenset(),
    )


def check_lifetime(claims: dict[str, Any], max_ttl_seconds: int) -> None:
    """Refuse a token whose lifetime (`exp - iat`) exceeds the maximum, however well signed."""
    if float(claims["exp"]) - float(claims["iat"]) > max_ttl_seconds:
        raise jws.JwsError(
            "lifetime-too-long",
            f"Access tokens live at most {max_ttl_seconds} seconds (exp - iat).",
        )


def verify_access_token(
    token: str,
    ring: KeyRing,
    *,
    issuer: str,
    audience: str,
    now: datetime | None = None,
    max_ttl_seconds: int = DEFAULT_MAX_TTL_SECONDS,
) -> Principal:
    moment = now or datetime.now(UTC)

    def find_key(kid: str) -> dict[str, str] | None:
        key = ring.find(kid, moment)
        return key.public_jwk() if key else None

    claims = jws.verify(
        token,
        typ=ACCESS_TOKEN_TYP,
        find_key=find_key,
        issuer=issuer,
        audience=audience,
        required=REQUIRED_CLAIMS,
        max_bytes=MAX_ACCESS_TOKEN_BYTES,
        now=moment,
    )
    check_lifetime(claims, max_ttl_seconds)
    return principal_from_claims(claims)
