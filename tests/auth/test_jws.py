"""Strict typed JWS verification: every refusal has its own code, checked before trusting content."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from auth import jws
from auth.keys import KeyRing, new_key

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TYP = "test+jwt"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _ring() -> KeyRing:
    key = new_key("access", NOW)
    return KeyRing(name="access", keys=[key], active_kid=key.kid)


def _claims(**overrides: Any) -> dict[str, Any]:
    base = {
        "iss": "https://issuer.test",
        "sub": "p1",
        "aud": "https://api.test",
        "iat": int(NOW.timestamp()),
        "nbf": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
        "jti": "j1",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def _verify(token: str, ring: KeyRing, **overrides: Any) -> dict[str, Any]:
    def find_key(kid: str) -> dict[str, str] | None:
        key = ring.find(kid, NOW)
        return key.public_jwk() if key else None

    options: dict[str, Any] = {
        "typ": TYP,
        "find_key": find_key,
        "issuer": "https://issuer.test",
        "audience": "https://api.test",
        "required": ("iss", "sub", "aud", "exp", "iat", "jti"),
        "max_bytes": 4096,
        "now": NOW,
    }
    options.update(overrides)
    return jws.verify(token, **options)


def _refusal(token: str, ring: KeyRing, **overrides: Any) -> str:
    with pytest.raises(jws.JwsError) as refused:
        _verify(token, ring, **overrides)
    return refused.value.code


def test_a_good_token_verifies_and_returns_its_claims() -> None:
    ring = _ring()
    token = jws.sign(_claims(), ring.active, TYP)
    assert _verify(token, ring)["sub"] == "p1"


def test_the_header_carries_alg_kid_and_typ() -> None:
    ring = _ring()
    header = json.loads(
        base64.urlsafe_b64decode(jws.sign(_claims(), ring.active, TYP).split(".")[0] + "==")
    )
    assert header == {"alg": "ES256", "kid": ring.active_kid, "typ": TYP}


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("", "malformed"),
        ("only.two", "malformed"),
        ("a.b.c.d", "malformed"),
        ("!!!.e30.sig", "malformed"),
        (_b64(b"[1]") + ".e30.sig", "malformed"),
    ],
)
def test_malformed_tokens_are_refused(token: str, code: str) -> None:
    assert _refusal(token, _ring()) == code


def test_alg_none_is_refused() -> None:
    header = _b64(json.dumps({"alg": "none", "typ": TYP, "kid": "x"}).encode())
    token = f"{header}.{_b64(json.dumps(_claims()).encode())}."
    assert _refusal(token, _ring()) == "algorithm-not-allowed"


def test_hs256_signed_with_our_public_key_is_refused() -> None:
    ring = _ring()
    public_pem = ring.active.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": TYP, "kid": ring.active_kid}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    signature = _b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert _refusal(f"{header}.{payload}.{signature}", ring) == "algorithm-not-allowed"


def test_wrong_typ_is_refused_even_with_a_valid_signature() -> None:
    ring = _ring()
    token = jws.sign(_claims(), ring.active, "rolodex-bundle+jwt")
    assert _refusal(token, ring) == "type-mismatch"


def test_typ_with_application_prefix_matches() -> None:
    ring = _ring()
    token = jws.sign(_claims(), ring.active, "application/" + TYP)
    assert _verify(token, ring)["jti"] == "j1"


def test_crit_is_refused() -> None:
    ring = _ring()
    header = _b64(
        json.dumps({"alg": "ES256", "typ": TYP, "kid": ring.active_kid, "crit": ["exp"]}).encode()
    )
    _, payload, signature = jws.sign(_claims(), ring.active, TYP).split(".")
    assert _refusal(f"{header}.{payload}.{signature}", ring) == "crit-unsupported"


def test_unknown_kid_is_refused() -> None:
    token = jws.sign(_claims(), _ring().active, TYP)
    assert _refusal(token, _ring()) == "key-not-found"


def test_tampered_payload_is_refused() -> None:
    ring = _ring()
    header, _, signature = jws.sign(_claims(), ring.active, TYP).split(".")
    forged = _b64(json.dumps(_claims(sub="someone-else")).encode())
    assert _refusal(f"{header}.{forged}.{signature}", ring) == "signature-invalid"


def test_flipped_signature_byte_is_refused() -> None:
    ring = _ring()
    header, payload, signature = jws.sign(_claims(), ring.active, TYP).split(".")
    flipped = ("A" if signature[5] != "A" else "B").join((signature[:5], signature[6:]))
    assert _refusal(f"{header}.{payload}.{flipped}", ring) == "signature-invalid"


def test_oversized_token_is_refused_before_parsing() -> None:
    assert _refusal("x" * 5000, _ring()) == "too-large"


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        (_claims(exp=int((NOW - timedelta(minutes=1)).timestamp())), "expired"),
        (_claims(nbf=int((NOW + timedelta(minutes=5)).timestamp())), "not-yet-valid"),
        (_claims(iat=int((NOW + timedelta(minutes=5)).timestamp())), "claims-invalid"),
        (_claims(iss="https://evil.test"), "issuer-mismatch"),
        (_claims(aud="https://other.test"), "audience-mismatch"),
        (_claims(jti=None), "claims-missing"),
        (_claims(exp="tomorrow"), "claims-invalid"),
    ],
)
def test_claim_checks(claims: dict[str, Any], code: str) -> None:
    ring = _ring()
    assert _refusal(jws.sign(claims, ring.active, TYP), ring) == code


def test_small_clock_skew_is_tolerated() -> None:
    ring = _ring()
    claims = _claims(exp=int((NOW - timedelta(seconds=20)).timestamp()))
    assert _verify(jws.sign(claims, ring.active, TYP), ring)["sub"] == "p1"


def test_audience_may_be_a_list() -> None:
    ring = _ring()
    token = jws.sign(_claims(aud=["https://x.test", "https://api.test"]), ring.active, TYP)
    assert _verify(token, ring)["sub"] == "p1"


# -- signing and verifying with key objects built once (no per-call JWK round trip) -------------


def test_signing_uses_the_rings_key_object_not_a_jwk_rebuilt_per_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ring = _ring()

    def rebuilt(self: object) -> dict[str, str]:
        raise AssertionError("the private JWK was rebuilt to sign")

    monkeypatch.setattr(type(ring.active), "private_jwk", rebuilt)
    assert _verify(jws.sign(_claims(), ring.active, TYP), ring)["sub"] == "p1"


def test_our_tokens_verify_with_python_jose_and_its_tokens_with_ours() -> None:
    from jose import jws as jose_jws

    ring = _ring()
    ours = jws.sign(_claims(), ring.active, TYP)
    assert json.loads(jose_jws.verify(ours, ring.active.public_jwk(), algorithms=["ES256"])) == (
        _claims()
    )
    theirs = jose_jws.sign(
        _claims(),
        ring.active.private_jwk(),
        headers={"kid": ring.active_kid, "typ": TYP},
        algorithm="ES256",
    )
    assert _verify(theirs, ring) == _claims()


def test_an_already_serialised_payload_is_signed_as_is() -> None:
    ring = _ring()
    payload = b'{"iss":"https://issuer.test","sub":"p1"}'
    token = jws.sign(payload, ring.active, TYP)
    assert base64.urlsafe_b64decode(token.split(".")[1] + "==") == payload


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "EC", "crv": "P-384", "x": _b64(b"\1" * 48), "y": _b64(b"\1" * 48)},
        {"kty": "EC", "crv": "P-256", "x": _b64(b"\1" * 32), "y": _b64(b"\1" * 32)},  # off-curve
        {"kty": "EC", "crv": "P-256", "x": _b64(b"\1" * 31), "y": _b64(b"\1" * 32)},
        {"kty": "oct", "k": _b64(b"secret")},
    ],
)
def test_only_a_p256_public_key_verifies(jwk: dict[str, str]) -> None:
    ring = _ring()
    token = jws.sign(_claims(), ring.active, TYP)
    with pytest.raises(jws.JwsError) as refused:
        jws.verify_signature(token, jwk)
    assert refused.value.code == "signature-invalid"


def test_a_der_encoded_or_truncated_signature_is_refused() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    ring = _ring()
    header, payload, signature = jws.sign(_claims(), ring.active, TYP).split(".")
    der = ring.active.private_key.sign(f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    for forged in (_b64(der), signature[:-4], ""):
        with pytest.raises(jws.JwsError) as refused:
            jws.verify_signature(f"{header}.{payload}.{forged}", ring.active.public_jwk())
        assert refused.value.code == "signature-invalid"


def test_a_signature_with_another_key_of_the_same_kid_is_refused() -> None:
    ring, other = _ring(), _ring()
    forged = jws.sign(_claims(), other.active, TYP)
    header = _b64(json.dumps({"alg": "ES256", "kid": ring.active_kid, "typ": TYP}).encode())
    _, payload, signature = forged.split(".")
    assert _refusal(f"{header}.{payload}.{signature}", ring) == "signature-invalid"
