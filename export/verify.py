"""Verify a bundle from its compact JWS: the checks any platform can run offline with our JWKS.

Order: size cap; header (ES256 only, `typ` rolodex-bundle+jwt, no `crit`, a `kid`); the key chosen
by `kid` from the given JWKS (never from the token); signature; `iss` (when expected), `aud` (when
given), `exp`, `nbf`, `iat`; then the body against the JSON Schema of its declared version. The
importer runs the same steps and adds issuer trust, replay and consent checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auth import jws, untrusted_json
from export.documents import BUNDLE_TYP
from export.schema import SUPPORTED_VERSIONS, schema_errors

MAX_BUNDLE_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = untrusted_json.MAX_DEPTH
REQUIRED_CLAIMS = ("iss", "sub", "aud", "iat", "nbf", "exp", "jti", "rolodex")


class BundleError(Exception):
    """A bundle failed a check. `code` is the stable problem slug (e.g. `signature-invalid`)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


# auth.jws codes → bundle problem slugs
_JWS_CODES = {
    "too-large": "bundle-too-large",
    "malformed": "bundle-malformed",
    "algorithm-not-allowed": "algorithm-not-allowed",
    "type-mismatch": "bundle-malformed",
    "crit-unsupported": "bundle-malformed",
    "key-not-found": "key-not-found",
    "signature-invalid": "signature-invalid",
    "expired": "bundle-expired",
    "not-yet-valid": "bundle-not-yet-valid",
    "issuer-mismatch": "issuer-untrusted",
    "audience-mismatch": "audience-mismatch",
    "claims-missing": "bundle-malformed",
    "claims-invalid": "bundle-malformed",
}


def from_jws_error(error: jws.JwsError) -> BundleError:
    return BundleError(_JWS_CODES.get(error.code, "bundle-malformed"), error.description)


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of parsed JSON, computed without recursion (stops counting past `limit`)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def read_header(token: str, max_bytes: int = MAX_BUNDLE_BYTES) -> jws.Header:
    try:
        return jws.read_header(token, typ=BUNDLE_TYP, max_bytes=max_bytes)
    except jws.JwsError as error:
        raise from_jws_error(error) from error


def peek_claims(token: str) -> dict[str, Any]:
    """The unverified payload — only to learn the issuer, before the signature is checked.

    Parsed by the one parser of untrusted JSON (depth, number size, lone surrogates refused)
    before anything else looks at it.
    """
    try:
        payload = jws.b64url_decode(token.split(".")[1])
        claims = untrusted_json.loads(payload, max_depth=MAX_JSON_DEPTH)
    except IndexError as error:
        raise BundleError("bundle-malformed", "The bundle is not a compact JWS.") from error
    except jws.JwsError as error:
        raise BundleError(
            "bundle-malformed", "The bundle payload is not UTF-8 base64url JSON."
        ) from error
    except untrusted_json.UntrustedJsonError as error:
        raise BundleError("bundle-malformed", f"The bundle payload is refused: {error}") from error
    if not isinstance(claims, dict):
        raise BundleError("bundle-malformed", "The bundle payload is not a JSON object.")
    return claims


@dataclass(frozen=True)
class VerifiedBundle:
    header: jws.Header
    claims: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.claims["rolodex"]
        return body

    @property
    def version(self) -> int:
        return int(self.body["version"])

    def summary(self) -> dict[str, Any]:
        counts = {
            scope: len(self.body[scope])
            if isinstance(self.body.get(scope), list)
            else int(scope in self.body)
            for scope in (
                "profile",
                "contacts",
                "mentorships",
                "sessions",
                "outcomes",
                "preferences",
            )
            if scope in self.body
        }
        return {
            "bundle_id": self.claims["jti"],
            "issuer": self.claims["iss"],
            "subject": self.claims["sub"],
            "audience": self.claims["aud"],
            "scopes": self.body.get("scopes", []),
            "schema_version": self.version,
            "items": counts,
            "expires_at": datetime.fromtimestamp(self.claims["exp"]).astimezone().isoformat(),
            "kid": self.header.kid,
        }


def verify_signature_and_claims(
    token: str,
    header: jws.Header,
    public_jwk: dict[str, Any] | None,
    *,
    issuer: str | None,
    audience: str | None,
    now: datetime,
) -> dict[str, Any]:
    if public_jwk is None:
        raise BundleError("key-not-found", f"The issuer publishes no key {header.kid!r}.")
    try:
        claims = jws.verify_signature(token, public_jwk)
        jws.check_claims(
            claims, issuer=issuer, audience=audience, required=REQUIRED_CLAIMS, now=now
        )
    except jws.JwsError as error:
        raise from_jws_error(error) from error
    return claims


def check_body(claims: dict[str, Any]) -> int:
    """Validate the body against the schema of its declared version; return that version."""
    body = claims.get("rolodex")
    version = body.get("version") if isinstance(body, dict) else None
    if (
        not isinstance(version, int)
        or isinstance(version, bool)
        or version not in SUPPORTED_VERSIONS
    ):
        raise BundleError(
            "schema-invalid",
            f"Unsupported bundle schema version {version!r}; supported: {SUPPORTED_VERSIONS}.",
        )
    problems = schema_errors(claims, version)
    if problems:
        raise BundleError(
            "schema-invalid", "The bundle does not match its schema: " + "; ".join(problems[:5])
        )
    return version


def verify_offline(
    token: str,
    jwks_keys: dict[str, dict[str, Any]],
    *,
    audience: str | None,
    now: datetime,
    issuer: str | None = None,
) -> VerifiedBundle:
    """Every check that needs only the token and the issuer's JWKS."""
    header = read_header(token)
    peek_claims(token)
    claims = verify_signature_and_claims(
        token, header, jwks_keys.get(header.kid), issuer=issuer, audience=audience, now=now
    )
    check_body(claims)
    return VerifiedBundle(header=header, claims=claims)
