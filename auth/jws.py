"""Typed compact JWS: signing and strict verification on top of python-jose.

python-jose neither checks `typ` nor selects keys by `kid`, so this module does both, in a fixed
order, before it trusts anything in the token: size cap, header shape, pinned algorithm, exact
`typ`, no `crit`, key chosen by `kid` from keys we trust (never from the token), signature, then
the registered claims with a small clock leeway. Every refusal is a `JwsError` with a stable code.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from auth import untrusted_json
from auth.keys import ALGORITHM, SigningKey

ALLOWED_ALGORITHMS = (ALGORITHM,)
DEFAULT_LEEWAY_SECONDS = 30


class JwsError(Exception):
    """A token was refused. `code` is stable (used as problem type / OAuth error description)."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True)
class Header:
    alg: str
    typ: str
    kid: str
    raw: Mapping[str, Any]


ES256_HALF = 32
"""Bytes of each of r and s in an ES256 signature (RFC 7518 §3.4: 64 bytes, r then s)."""


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


@functools.lru_cache(maxsize=64)
def _encoded_header(kid: str, typ: str) -> bytes:
    """The base64url header of our tokens (the same few (kid, typ) pairs over and over)."""
    header = {"alg": ALGORITHM, "kid": kid, "typ": typ}
    return _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())


def sign(claims: Mapping[str, Any] | bytes, key: SigningKey, typ: str) -> str:
    """Sign `claims` as a compact JWS with `alg` ES256, the key's `kid` and the given `typ`.

    `claims` may already be serialised (the UTF-8 JSON of an object), so a large payload is not
    turned into a dict only to be serialised again. Signed with the key object the ring holds
    (built once when the ring was loaded), never a key rebuilt from its JWK per call.
    """
    payload = (
        claims
        if isinstance(claims, bytes)
        else json.dumps(dict(claims), separators=(",", ":")).encode()
    )
    signing_input = _encoded_header(key.kid, typ) + b"." + _b64url(payload)
    r, s = decode_dss_signature(key.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(ES256_HALF, "big") + s.to_bytes(ES256_HALF, "big")
    return (signing_input + b"." + _b64url(signature)).decode("ascii")


@functools.lru_cache(maxsize=256)
def _p256_public_key(x: str, y: str) -> ec.EllipticCurvePublicKey:
    """The P-256 public key of a JWK's `x`/`y`, built once per key (ValueError when they are
    not a point on the curve)."""
    coordinates = [b64url_decode(value) for value in (x, y)]
    if any(len(value) != ES256_HALF for value in coordinates):
        raise ValueError("P-256 coordinates are 32 bytes each")
    return ec.EllipticCurvePublicNumbers(
        int.from_bytes(coordinates[0], "big"), int.from_bytes(coordinates[1], "big"), ec.SECP256R1()
    ).public_key()


def _public_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    """The ES256 verification key of a JWK; only an EC P-256 key can verify an ES256 token."""
    x, y = jwk.get("x"), jwk.get("y")
    if (
        jwk.get("kty") != "EC"
        or jwk.get("crv") != "P-256"
        or not isinstance(x, str)
        or not isinstance(y, str)
    ):
        raise JwsError("signature-invalid", "The key cannot verify an ES256 signature.")
    try:
        return _p256_public_key(x, y)
    except (JwsError, ValueError) as error:
        raise JwsError("signature-invalid", "The key is not a P-256 public key.") from error


def b64url_decode(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as error:
        raise JwsError("malformed", "The token is not valid base64url.") from error


def _typ_matches(actual: str, expected: str) -> bool:
    normalized = actual.lower().removeprefix("application/")
    return normalized == expected.lower().removeprefix("application/")


def read_header(token: str, *, typ: str, max_bytes: int) -> Header:
    """Check size and header before anything else; return the parsed header."""
    if len(token) > max_bytes:
        raise JwsError("too-large", f"The token exceeds {max_bytes} bytes.")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise JwsError("malformed", "The token is not a compact JWS (three dot-separated parts).")
    try:
        header = untrusted_json.loads(b64url_decode(parts[0]))
    except untrusted_json.UntrustedJsonError as error:
        raise JwsError("malformed", "The token header is not JSON.") from error
    if not isinstance(header, dict):
        raise JwsError("malformed", "The token header is not a JSON object.")
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise JwsError(
            "algorithm-not-allowed",
            f"Algorithm {alg!r} is not accepted; only {', '.join(ALLOWED_ALGORITHMS)}.",
        )
    actual_typ = header.get("typ")
    if not isinstance(actual_typ, str) or not _typ_matches(actual_typ, typ):
        raise JwsError("type-mismatch", f"Expected a token of type {typ!r}, got {actual_typ!r}.")
    if "crit" in header:
        raise JwsError(
            "crit-unsupported", "The token marks header parameters as critical; none are supported."
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwsError("key-not-found", "The token header names no key id (kid).")
    return Header(alg=alg, typ=actual_typ, kid=kid, raw=header)


def check_signature(token: str, public_jwk: Mapping[str, Any]) -> None:
    """Verify the ES256 signature with a key we chose (JwsError `signature-invalid` if not).

    The header must name `alg` ES256 (whatever checked it before), the key must be an EC P-256
    JWK, and the signature exactly 64 bytes (r, s); the key object is cached per JWK.
    """
    refused = JwsError("signature-invalid", "The signature does not verify.")
    parts = token.split(".")
    if len(parts) != 3:
        raise refused
    try:
        header = untrusted_json.loads(b64url_decode(parts[0]))
        signature = b64url_decode(parts[2])
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    except (JwsError, untrusted_json.UntrustedJsonError, UnicodeEncodeError) as error:
        raise refused from error
    if not isinstance(header, dict) or header.get("alg") not in ALLOWED_ALGORITHMS:
        raise refused
    key = _public_key(public_jwk)
    if len(signature) != 2 * ES256_HALF:
        raise refused
    der = encode_dss_signature(
        int.from_bytes(signature[:ES256_HALF], "big"), int.from_bytes(signature[ES256_HALF:], "big")
    )
    try:
        key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise refused from error


def verify_signature(token: str, public_jwk: Mapping[str, Any]) -> dict[str, Any]:
    """`check_signature`, then the claims object of the verified payload."""
    check_signature(token, public_jwk)
    payload = b64url_decode(token.split(".")[1])
    try:
        claims = untrusted_json.loads(payload)
    except untrusted_json.UntrustedJsonError as error:
        raise JwsError("malformed", "The token payload is not JSON.") from error
    if not isinstance(claims, dict):
        raise JwsError("malformed", "The token payload is not a JSON object.")
    return claims


def check_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str | None,
    audience: str | None,
    required: Iterable[str],
    now: datetime | None = None,
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
) -> None:
    """Registered-claim checks: presence, `iss`, `aud`, `exp`, `nbf`, `iat` (RFC 7519 / RFC 8725)."""
    missing = [name for name in required if name not in claims]
    if missing:
        raise JwsError("claims-missing", f"The token lacks required claims: {', '.join(missing)}.")
    moment = (now or datetime.now(UTC)).timestamp()
    for name in ("exp", "nbf", "iat"):
        if name in claims and (
            isinstance(claims[name], bool) or not isinstance(claims[name], int | float)
        ):
            raise JwsError("claims-invalid", f"The {name!r} claim must be a number of seconds.")
    if issuer is not None and claims.get("iss") != issuer:
        raise JwsError("issuer-mismatch", "The token was issued by someone else.")
    if audience is not None:
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if audience not in audiences:
            raise JwsError("audience-mismatch", "The token is meant for another audience.")
    if "exp" in claims and moment > float(claims["exp"]) + leeway_seconds:
        raise JwsError("expired", "The token has expired.")
    if "nbf" in claims and moment < float(claims["nbf"]) - leeway_seconds:
        raise JwsError("not-yet-valid", "The token is not valid yet.")
    if "iat" in claims and float(claims["iat"]) > moment + leeway_seconds:
        raise JwsError("claims-invalid", "The token claims to be issued in the future.")


def verify(
    token: str,
    *,
    typ: str,
    find_key: Callable[[str], Mapping[str, Any] | None],
    issuer: str | None,
    audience: str | None,
    required: Iterable[str],
    max_bytes: int,
    now: datetime | None = None,
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
) -> dict[str, Any]:
    """All checks in order, for keys we hold locally; return the verified claims."""
    header = read_header(token, typ=typ, max_bytes=max_bytes)
    public_jwk = find_key(header.kid)
    if public_jwk is None:
        raise JwsError("key-not-found", f"No published key has the id {header.kid!r}.")
    claims = verify_signature(token, public_jwk)
    check_claims(
        claims,
        issuer=issuer,
        audience=audience,
        required=required,
        now=now,
        leeway_seconds=leeway_seconds,
    )
    return claims
