"""Holder keys: EC P-256 public JWKs (the `cnf.jwk` of a credential), checked before use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from credentials.sdjwt import b64url_decode

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")


class JwkError(ValueError):
    """Not a usable EC P-256 public key."""


def public_p256(jwk: Mapping[str, Any]) -> dict[str, str]:
    """The public members of an EC P-256 JWK, after checking the point lies on the curve.

    A JWK carrying private members is refused: the holder's private key never leaves the wallet.
    """
    if any(member in jwk for member in PRIVATE_MEMBERS):
        raise JwkError("The key holds private members; send the public key only.")
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise JwkError("The key must be an EC P-256 JWK (kty EC, crv P-256).")
    x, y = jwk.get("x"), jwk.get("y")
    if not isinstance(x, str) or not isinstance(y, str):
        raise JwkError("The key lacks its x and y coordinates.")
    try:
        x_bytes, y_bytes = b64url_decode(x), b64url_decode(y)
        if len(x_bytes) != 32 or len(y_bytes) != 32:
            raise JwkError("The coordinates must be 32 bytes each.")
        ec.EllipticCurvePublicNumbers(
            int.from_bytes(x_bytes, "big"), int.from_bytes(y_bytes, "big"), ec.SECP256R1()
        ).public_key()
    except ValueError as error:
        raise JwkError("The coordinates are not a point on P-256.") from error
    return {"kty": "EC", "crv": "P-256", "x": x, "y": y}
