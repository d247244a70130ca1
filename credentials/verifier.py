"""Verifying an SD-JWT VC presentation (SD-JWT+KB), in the order of RFC 9901 section 7.

1. the issuer-signed JWT: pinned `alg` (ES256; `none` and every other refused), `typ` exactly
   `dc+sd-jwt`, a `kid`; the issuer must be trusted and its key is chosen by `kid` from the
   issuer's published keys (never from the token); signature; `exp`, `iat`; `vct`, `cnf.jwk`;
2. the disclosures against the digests (`credentials.sdjwt.unpack`): none unreferenced, none
   twice, no digest twice;
3. the key-binding JWT: present, `typ` `kb+jwt`, signed by the `cnf.jwk` key, `aud` this
   verifier, `nonce` one this verifier handed out to this person (unused, unexpired), `iat`
   recent, `sd_hash` over the presented SD-JWT;
4. the status list entry of the credential (`status.status_list`): valid.

Each refusal is an error class carrying its problem slug (credentials/errors.py,
docs/credentials.md).
The checks that need the outside world (issuer keys, nonces, status lists) go through the small
protocols below, so `rolodex verify` and the import route share this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from auth import jws
from credentials import sdjwt, statuslist
from credentials.errors import (
    CredentialExpiredError,
    CredentialRevokedError,
    CredentialTypeMismatchError,
    KeyBindingInvalidError,
    KeyBindingMissingError,
    KeyBindingSignatureInvalidError,
    KeyBindingStaleError,
    NonceExpiredError,
    NonceReusedError,
    NonceUnknownError,
    PresentationMalformedError,
    PresentationTooLargeError,
    SdHashMismatchError,
    from_format_error,
)
from credentials.issuer import TYP
from credentials.jwk import JwkError, public_p256
from credentials.sdjwt import SdJwtError
from portability.errors import (
    AlgorithmNotAllowedError,
    AudienceMismatchError,
    KeyNotFoundError,
    PortabilityError,
    SignatureInvalidError,
)

LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class NonceRecord:
    person_id: str
    aud: str
    expires_at: datetime
    used: bool


class IssuerKeys(Protocol):
    async def key(self, issuer: str, kid: str) -> dict[str, Any] | None:
        """The issuer's public JWK with this kid; IssuerUntrustedError
        when the issuer is not trusted here."""


class Nonces(Protocol):
    async def find(self, value: str) -> NonceRecord | None: ...


class StatusLists(Protocol):
    async def status(self, issuer: str, uri: str, index: int) -> int:
        """The status of entry `index` of the list at `uri`, verified as the issuer's."""


@dataclass(frozen=True)
class Expectation:
    """What the key-binding JWT must carry. `person_id` None: no nonce registry (CLI)."""

    audience: str | None
    nonce: str | None
    person_id: str | None
    max_age: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class VerifiedPresentation:
    issuer: str
    kid: str
    claims: dict[str, Any]  # the issuer-signed claims with the disclosed ones substituted
    disclosed: list[str]  # paths of the disclosed items, e.g. contacts[0], profile.headline
    holder_jwk: dict[str, str]
    nonce: str | None
    audience: str | None
    credential_digest: str  # sha-256 of the issuer-signed JWT: the credential's identity


def _json_segment(segment: str, what: str, refusal: type[PortabilityError]) -> dict[str, Any]:
    try:
        value = json.loads(sdjwt.b64url_decode(segment).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise refusal(f"The {what} is not base64url JSON.") from error
    if not isinstance(value, dict):
        raise refusal(f"The {what} is not a JSON object.")
    return value


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PresentationMalformedError(f"The {name!r} claim is not a number.")
    return float(value)


def _signed_claims(
    token: str, key: dict[str, Any], refusal: type[PortabilityError]
) -> dict[str, Any]:
    try:
        return jws.verify_signature(token, key)
    except jws.JwsError as error:
        raise refusal("The signature does not verify.") from error


async def verify_presentation(
    presentation: str,
    *,
    keys: IssuerKeys,
    nonces: Nonces | None,
    status_lists: StatusLists,
    expect: Expectation,
    max_bytes: int,
    now: datetime | None = None,
) -> VerifiedPresentation:
    moment = now or datetime.now(UTC)
    if len(presentation) > max_bytes:
        raise PresentationTooLargeError(f"The presentation exceeds {max_bytes} bytes.")
    try:
        compact = sdjwt.split(presentation)
    except SdJwtError as error:
        raise from_format_error(error.code, error.detail) from error

    # 1. the issuer-signed JWT
    header_segment, payload_segment, _ = compact.jwt.split(".")
    header = _json_segment(header_segment, "credential header", PresentationMalformedError)
    if header.get("alg") not in jws.ALLOWED_ALGORITHMS:
        raise AlgorithmNotAllowedError(
            f"Algorithm {header.get('alg')!r} is not accepted; only ES256."
        )
    if header.get("typ") != TYP:
        raise CredentialTypeMismatchError(
            f"The credential's typ is {header.get('typ')!r}; an SD-JWT VC has {TYP!r}.",
        )
    if "crit" in header:
        raise PresentationMalformedError("Critical header parameters are not supported.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise KeyNotFoundError("The credential header names no key id (kid).")
    unverified = _json_segment(payload_segment, "credential payload", PresentationMalformedError)
    issuer = unverified.get("iss")
    if not isinstance(issuer, str):
        raise PresentationMalformedError("The credential names no issuer.")
    key = await keys.key(issuer, kid)
    if key is None:
        raise KeyNotFoundError(f"The issuer publishes no key with id {kid!r}.")
    payload = _signed_claims(compact.jwt, key, SignatureInvalidError)
    if not isinstance(payload.get("vct"), str):
        raise PresentationMalformedError("The credential has no vct.")
    expires = _number(payload, "exp")
    if expires is not None and moment.timestamp() > expires + LEEWAY_SECONDS:
        raise CredentialExpiredError("The credential has expired.")
    issued = _number(payload, "iat")
    if issued is not None and issued > moment.timestamp() + LEEWAY_SECONDS:
        raise PresentationMalformedError("The credential is issued in the future.")
    cnf = payload.get("cnf")
    try:
        jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
        holder_jwk = public_p256(jwk if isinstance(jwk, dict) else {})
    except JwkError as error:
        raise PresentationMalformedError(
            f"The credential binds no usable holder key: {error}"
        ) from error

    # 2. the disclosures
    try:
        unpacked = sdjwt.unpack(payload, compact.disclosures)
    except SdJwtError as error:
        raise from_format_error(error.code, error.detail) from error

    # 3. key binding
    nonce = await _check_key_binding(compact, holder_jwk, nonces, expect, moment)

    # 4. status
    await _check_status(issuer, payload, status_lists)
    disclosed = [sdjwt.path_text(path) for path in unpacked.disclosed_paths]
    return VerifiedPresentation(
        issuer=issuer,
        kid=kid,
        claims=unpacked.claims,
        disclosed=disclosed,
        holder_jwk=holder_jwk,
        nonce=nonce,
        audience=expect.audience,
        credential_digest=sdjwt.digest(compact.jwt),
    )


async def _check_key_binding(
    compact: sdjwt.Compact,
    holder_jwk: dict[str, str],
    nonces: Nonces | None,
    expect: Expectation,
    moment: datetime,
) -> str | None:
    if compact.kb_jwt is None:
        raise KeyBindingMissingError(
            "The presentation has no key-binding JWT: the holder must sign it with their key.",
        )
    header = _json_segment(
        compact.kb_jwt.split(".")[0], "key-binding header", KeyBindingInvalidError
    )
    if header.get("alg") not in jws.ALLOWED_ALGORITHMS:
        raise AlgorithmNotAllowedError(
            f"Key-binding algorithm {header.get('alg')!r} is not accepted."
        )
    if header.get("typ") != sdjwt.KB_TYP:
        raise KeyBindingInvalidError(f"The key-binding JWT's typ is not {sdjwt.KB_TYP!r}.")
    claims = _signed_claims(compact.kb_jwt, holder_jwk, KeyBindingSignatureInvalidError)
    missing = [name for name in ("iat", "aud", "nonce", "sd_hash") if name not in claims]
    if missing:
        raise KeyBindingInvalidError(f"The key-binding JWT lacks {', '.join(missing)}.")
    if expect.audience is not None and claims["aud"] != expect.audience:
        raise AudienceMismatchError(
            f"The presentation is meant for {claims['aud']!r}, not this verifier.",
        )
    if claims["sd_hash"] != sdjwt.digest(compact.sd_jwt):
        raise SdHashMismatchError("The key-binding JWT signs another SD-JWT (sd_hash differs).")
    issued = _number(claims, "iat") or 0.0
    age = moment.timestamp() - issued
    if age > expect.max_age.total_seconds() + LEEWAY_SECONDS or age < -LEEWAY_SECONDS:
        raise KeyBindingStaleError("The key-binding JWT is not recent.")
    nonce = claims["nonce"]
    if not isinstance(nonce, str):
        raise KeyBindingInvalidError("The nonce is not a string.")
    if expect.nonce is not None and nonce != expect.nonce:
        raise NonceUnknownError("The nonce is not the one expected.")
    if nonces is not None:
        record = await nonces.find(nonce)
        if record is None or (
            expect.person_id is not None and record.person_id != expect.person_id
        ):
            raise NonceUnknownError(
                "The nonce was not handed out to you here (POST /v1/imports/nonce).",
            )
        if record.used:
            raise NonceReusedError("The nonce was used before; ask for a fresh one.")
        if record.expires_at <= moment:
            raise NonceExpiredError("The nonce has expired; ask for a fresh one.")
        if claims["aud"] != record.aud:
            raise AudienceMismatchError("The key-binding JWT names another audience.")
    return nonce


async def _check_status(issuer: str, payload: dict[str, Any], status_lists: StatusLists) -> None:
    status = payload.get("status")
    reference = status.get("status_list") if isinstance(status, dict) else None
    if reference is None:
        return
    if (
        not isinstance(reference, dict)
        or not isinstance(reference.get("uri"), str)
        or isinstance(reference.get("idx"), bool)
        or not isinstance(reference.get("idx"), int)
    ):
        raise PresentationMalformedError("The status claim is not {idx, uri}.")
    value = await status_lists.status(issuer, reference["uri"], reference["idx"])
    if value != statuslist.VALID:
        raise CredentialRevokedError("The issuer has revoked this credential.")
