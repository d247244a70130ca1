"""Turns a bearer token into a `Principal`: our own access tokens, or an external IdP's.

Tokens from an external identity provider are accepted when its issuer and JWKS URL are configured:
same pinned algorithm and `typ` checks, key by `kid` from that provider's JWKS (fetched and cached),
and the role taken from its `role` claim (people only — an external IdP can never mint a partner).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from auth import jws, untrusted_json
from auth.errors import InvalidTokenError
from auth.jwks_client import JwksCache, JwksFetchError
from auth.keys import KeyRing
from auth.principals import Principal, Role
from auth.tokens import (
    ACCESS_TOKEN_TYP,
    DEFAULT_MAX_TTL_SECONDS,
    MAX_ACCESS_TOKEN_BYTES,
    REQUIRED_CLAIMS,
    check_lifetime,
    principal_from_claims,
    verify_access_token,
)


@dataclass(frozen=True)
class ExternalIdentityProvider:
    issuer: str
    jwks_url: str
    audience: str


class Authenticator:
    def __init__(
        self,
        ring: KeyRing,
        *,
        issuer: str,
        audience: str,
        external: ExternalIdentityProvider | None = None,
        jwks_cache: JwksCache | None = None,
        max_ttl_seconds: int = DEFAULT_MAX_TTL_SECONDS,
    ) -> None:
        self.ring = ring
        self.issuer = issuer
        self.audience = audience
        self.external = external
        self.jwks_cache = jwks_cache
        self.max_ttl_seconds = max_ttl_seconds

    async def authenticate(self, token: str) -> Principal:
        now = datetime.now(UTC)
        self.ring.refresh()
        try:
            if self.external is not None and self._issuer_of(token) == self.external.issuer:
                return await self._verify_external(token, now)
            return verify_access_token(
                token,
                self.ring,
                issuer=self.issuer,
                audience=self.audience,
                now=now,
                max_ttl_seconds=self.max_ttl_seconds,
            )
        except jws.JwsError as error:
            raise InvalidTokenError(error.description, error.code) from error

    @staticmethod
    def _issuer_of(token: str) -> object:
        """Peek at `iss` only to pick the verifier; nothing unverified is trusted beyond that."""
        parts = token.split(".")
        if len(parts) != 3 or len(token) > MAX_ACCESS_TOKEN_BYTES:
            return None
        try:
            payload = untrusted_json.loads(
                base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
            )
        except ValueError:
            return None
        return payload.get("iss") if isinstance(payload, dict) else None

    async def _verify_external(self, token: str, now: datetime) -> Principal:
        assert self.external is not None
        if self.jwks_cache is None:
            raise jws.JwsError(
                "key-not-found", "No JWKS client is configured for the external issuer."
            )
        header = jws.read_header(token, typ=ACCESS_TOKEN_TYP, max_bytes=MAX_ACCESS_TOKEN_BYTES)
        try:
            key = await self.jwks_cache.find(self.external.jwks_url, header.kid)
        except JwksFetchError as error:
            raise jws.JwsError(
                "key-not-found", "The identity provider's keys are unavailable."
            ) from error
        if key is None:
            raise jws.JwsError(
                "key-not-found", f"The identity provider publishes no key {header.kid!r}."
            )
        claims = jws.verify_signature(token, key)
        jws.check_claims(
            claims,
            issuer=self.external.issuer,
            audience=self.external.audience,
            required=REQUIRED_CLAIMS,
            now=now,
        )
        check_lifetime(claims, self.max_ttl_seconds)
        principal = principal_from_claims(claims)
        if principal.role is Role.PARTNER:
            raise jws.JwsError(
                "claims-invalid", "An external identity provider cannot issue partner tokens."
            )
        return principal
