"""The one bundle verifier: every check docs/bundle-spec.md asks of a verifier, in its order.

Used by the importer (keys of the registered issuer, status over HTTP), by `rolodex verify` (keys
from a JWKS file or URL) and by the tests. Order: size cap; header (ES256 only, `typ`
rolodex-bundle+jwt, no `crit`, a `kid`); the payload through the untrusted-JSON parser; the key chosen by `kid` from the keys
the caller trusts (never from the token); signature; `iss` (when expected), `aud` (one of the
allowed), `exp`, `nbf`, `iat`; the consent receipt (same checks with `typ`
rolodex-consent-receipt+jwt and the issuer's keys; same `sub` and `aud` as the bundle; unexpired;
scopes that are not empty and cover every section declared or present; a status URL on the
issuer's host, and — when a status checker is given — `active` there); finally the body against
the JSON Schema of its declared version. Each refusal is its own `PortabilityError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from auth import jws, untrusted_json
from auth.outbound import OutboundClient, OutboundError
from portability.bundle.schema import SUPPORTED_VERSIONS, schema_errors
from portability.documents import BUNDLE_TYP, RECEIPT_TYP
from portability.errors import (
    AudienceMismatchError,
    BundleMalformedError,
    ConsentInvalidError,
    ConsentMissingError,
    ConsentRevokedError,
    ConsentUnverifiableError,
    KeyNotFoundError,
    SchemaInvalidError,
    ScopeNotGrantedError,
    from_jws_error,
)
from portability.vocabulary import SECTIONS

MAX_BUNDLE_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = untrusted_json.MAX_DEPTH
MAX_RECEIPT_BYTES = 16 * 1024
MAX_STATUS_BYTES = 16 * 1024
REQUIRED_CLAIMS = ("iss", "sub", "aud", "iat", "nbf", "exp", "jti", "rolodex")


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

    Parsed by the one parser of untrusted JSON (auth/untrusted_json.py: nesting deeper than
    MAX_JSON_DEPTH, oversized or non-finite numbers, lone surrogates and NUL refused) before
    anything else looks at it.
    """
    try:
        payload = jws.b64url_decode(token.split(".")[1])
        claims = untrusted_json.loads(payload, max_depth=MAX_JSON_DEPTH)
    except (jws.JwsError, IndexError) as error:
        raise BundleMalformedError("The bundle payload is not UTF-8 base64url JSON.") from error
    except untrusted_json.UntrustedJsonError as error:
        raise BundleMalformedError(f"The bundle payload is refused: {error}") from error
    if not isinstance(claims, dict):
        raise BundleMalformedError("The bundle payload is not a JSON object.")
    return claims


KeyLookup = Callable[[str], Awaitable[dict[str, Any] | None]]
"""Finds the issuer's public JWK by `kid` among keys the caller trusts (None: no such key)."""
StatusLookup = Callable[[str], Awaitable[str]]
"""GETs a consent status URL and answers its `status` (ConsentUnverifiableError when it cannot)."""


@dataclass(frozen=True)
class ConsentEvidence:
    """The verified consent a bundle was exported under."""

    consent_id: str
    status_url: str
    scopes: tuple[str, ...]
    status: str | None  # None when not checked (offline)


@dataclass(frozen=True)
class VerifiedBundle:
    header: jws.Header
    claims: dict[str, Any]
    consent: ConsentEvidence | None = None

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
            for scope in SECTIONS
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
            "consent_status": (self.consent.status or "not checked") if self.consent else None,
        }


def verify_signature_and_claims(
    token: str,
    header: jws.Header,
    public_jwk: dict[str, Any] | None,
    *,
    issuer: str | None,
    audience: str | None,
    now: datetime,
    peeked: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The verified claims. `peeked`: the payload `peek_claims` already parsed from this very
    token, taken as the claims once the signature over those bytes verifies (a large bundle's
    payload is then parsed once, not twice)."""
    if public_jwk is None:
        raise KeyNotFoundError(f"The issuer publishes no key {header.kid!r}.")
    try:
        if peeked is None:
            claims = jws.verify_signature(token, public_jwk)
        else:
            jws.check_signature(token, public_jwk)
            claims = peeked
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
        raise SchemaInvalidError(
            f"Unsupported bundle schema version {version!r}; supported: {SUPPORTED_VERSIONS}.",
        )
    problems = schema_errors(claims, version)
    if problems:
        raise SchemaInvalidError("The bundle does not match its schema: " + "; ".join(problems[:5]))
    return version


def _consent_fields(body: dict[str, Any]) -> tuple[Any, Any, Any]:
    if body.get("version") == 1:
        return body.get("consent_id"), body.get("consent_receipt"), body.get("status_url")
    consent = body.get("consent") if isinstance(body.get("consent"), dict) else {}
    assert isinstance(consent, dict)
    return consent.get("consent_id"), consent.get("receipt"), consent.get("status_url")


def on_host(url: str, issuer: str) -> bool:
    """Whether `url` lies under the issuer's URL (same scheme, host and port, below its path)."""
    return (
        url.startswith(issuer.rstrip("/") + "/") and urlsplit(url).netloc == urlsplit(issuer).netloc
    )


async def check_receipt(
    claims: dict[str, Any],
    find_key: KeyLookup,
    *,
    now: datetime,
    status_of: StatusLookup | None,
) -> ConsentEvidence:
    """The consent receipt checks (spec step 6), against the bundle's verified claims."""
    body = claims.get("rolodex")
    if not isinstance(body, dict):
        raise BundleMalformedError("The bundle carries no body.")
    consent_id, receipt, status_url = _consent_fields(body)
    if not isinstance(receipt, str) or not isinstance(status_url, str):
        raise ConsentMissingError("The bundle carries no consent receipt and status URL.")
    try:
        header = jws.read_header(receipt, typ=RECEIPT_TYP, max_bytes=MAX_RECEIPT_BYTES)
    except jws.JwsError as error:
        raise ConsentInvalidError(
            f"The consent receipt is not valid: {error.description}"
        ) from error
    key = await find_key(header.kid)
    if key is None:
        raise ConsentInvalidError("The consent receipt is not signed by the issuer.")
    try:
        receipt_claims = jws.verify_signature(receipt, key)
        jws.check_claims(
            receipt_claims,
            issuer=claims["iss"],
            audience=None,
            required=("sub", "aud", "jti", "receipt"),
            now=now,
        )
    except jws.JwsError as error:
        if error.code == "expired":
            raise ConsentRevokedError(
                "The consent this bundle was exported under has expired."
            ) from error
        raise ConsentInvalidError(
            f"The consent receipt does not verify: {error.description}"
        ) from error
    if receipt_claims["sub"] != claims["sub"] or receipt_claims["aud"] != claims["aud"]:
        raise ConsentInvalidError("The consent receipt is about another person or audience.")
    details = receipt_claims["receipt"] if isinstance(receipt_claims["receipt"], dict) else {}
    scopes = details.get("scopes")
    if not isinstance(scopes, list) or not scopes:
        raise ConsentInvalidError("The consent receipt grants no scopes.")
    granted = {str(scope) for scope in scopes}
    declared = set(body.get("scopes", [])) if isinstance(body.get("scopes"), list) else set()
    present = {section for section in SECTIONS if section in body}
    outside = sorted((declared | present) - granted)
    if outside:
        raise ScopeNotGrantedError(f"The consent does not cover: {', '.join(outside)}.")
    undeclared = sorted(present - declared)
    if undeclared:
        raise ScopeNotGrantedError(
            f"The bundle carries sections it does not declare: {', '.join(undeclared)}."
        )
    if not on_host(status_url, claims["iss"]):
        raise ConsentInvalidError("The consent status URL is not on the issuer's host.")
    state = None
    if status_of is not None:
        state = await status_of(status_url)
        if state != "active":
            raise ConsentRevokedError(f"The consent this bundle was exported under is {state}.")
    return ConsentEvidence(
        consent_id=str(consent_id),
        status_url=status_url,
        scopes=tuple(sorted(granted)),
        status=state,
    )


class HttpStatus:
    """Asks a consent status URL through the outbound policy (auth/outbound.py: total deadline,
    public addresses, no redirects), reading at most MAX_STATUS_BYTES of the answer."""

    def __init__(self, http: OutboundClient) -> None:
        self._http = http

    async def __call__(self, status_url: str) -> str:
        try:
            response = await self._http.get(status_url, max_bytes=MAX_STATUS_BYTES)
        except OutboundError as error:
            raise ConsentUnverifiableError(
                f"The consent status could not be checked: {error.detail}"
            ) from error
        if response.status_code != 200:
            raise ConsentUnverifiableError(
                f"The consent status endpoint answered {response.status_code}."
            )
        try:
            answer = response.json()
        except ValueError as error:
            raise ConsentUnverifiableError(
                "The consent status endpoint did not answer JSON."
            ) from error
        return str(answer.get("status")) if isinstance(answer, dict) else "unknown"


async def verify_bundle(
    token: str,
    find_key: KeyLookup,
    *,
    now: datetime,
    audiences: Collection[str] | None,
    issuer: str | None = None,
    status_of: StatusLookup | None = None,
    max_bytes: int = MAX_BUNDLE_BYTES,
    peeked: dict[str, Any] | None = None,
) -> VerifiedBundle:
    """Every check, in the order of docs/bundle-spec.md; the verified (not yet upgraded) bundle.

    `audiences`: the `aud` values accepted (None: any). `status_of`: None skips only the status
    GET (offline); every other receipt check still runs. `peeked`: what `peek_claims` of this
    same token answered the caller (to pick the issuer), so the payload is parsed once.
    """
    header = read_header(token, max_bytes)
    peeked = peek_claims(token) if peeked is None else peeked
    claims = verify_signature_and_claims(
        token,
        header,
        await find_key(header.kid),
        issuer=issuer,
        audience=None,
        now=now,
        peeked=peeked,
    )
    if audiences is not None and claims.get("aud") not in audiences:
        raise AudienceMismatchError(
            f"The bundle is meant for {claims.get('aud')!r}, not {', '.join(sorted(audiences))}."
        )
    consent = await check_receipt(claims, find_key, now=now, status_of=status_of)
    check_body(claims)
    return VerifiedBundle(header=header, claims=claims, consent=consent)


def keys_from(jwks_keys: dict[str, dict[str, Any]]) -> KeyLookup:
    """A key lookup over a JWKS the caller already holds."""

    async def find(kid: str) -> dict[str, Any] | None:
        return jwks_keys.get(kid)

    return find
