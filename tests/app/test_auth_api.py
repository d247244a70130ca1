"""Every refusal of an access token over HTTP: status, problem type and WWW-Authenticate challenge."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from auth import jws
from auth.principals import Role
from auth.security import AdminPrincipal, BundleReader, CurrentPrincipal
from auth.tokens import ACCESS_TOKEN_TYP, issue_access_token
from tests.conftest import TokenFactory


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def probe(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    router = APIRouter(tags=["probe"])

    @router.get("/probe/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject, "role": principal.role.value}

    @router.get("/probe/admin")
    async def admin(principal: AdminPrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    @router.get("/probe/bundles")
    async def bundles(principal: BundleReader) -> dict[str, str]:
        return {"platform": principal.platform_id or ""}

    app.include_router(router)
    with TestClient(app) as client:
        yield client


def _token(client: TestClient, settings: Settings, **overrides: object) -> str:
    options: dict[str, object] = {
        "issuer": settings.public_url,
        "audience": settings.access_token_audience,
        "subject": "p1",
        "role": Role.MENTEE,
        "ttl": timedelta(minutes=5),
    }
    options.update(overrides)
    return issue_access_token(client.app.state.keystore.access, **options)  # type: ignore[attr-defined, arg-type]


def _get(client: TestClient, token: str, path: str = "/probe/me") -> dict[str, object]:
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    return {
        "status": response.status_code,
        "body": response.json(),
        "challenge": response.headers.get("www-authenticate", ""),
    }


def _assert_invalid_token(result: dict[str, object], reason: str) -> None:
    assert result["status"] == 401
    body = result["body"]
    assert isinstance(body, dict)
    assert body["type"].endswith("/invalid-token")
    assert body["reason"] == reason
    assert str(result["challenge"]).startswith('Bearer realm="rolodex", error="invalid_token"')


def test_a_valid_token_reaches_the_route(probe: TestClient, settings: Settings) -> None:
    result = _get(probe, _token(probe, settings))
    assert result["status"] == 200
    assert result["body"] == {"subject": "p1", "role": "mentee"}


def test_no_token_is_401_with_a_bare_challenge(probe: TestClient) -> None:
    response = probe.get("/probe/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="rolodex"'


def test_other_auth_schemes_are_treated_as_no_token(probe: TestClient) -> None:
    response = probe.get("/probe/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="rolodex"'


def test_malformed_token(probe: TestClient) -> None:
    _assert_invalid_token(_get(probe, "not-a-jwt"), "malformed")


def test_alg_none(probe: TestClient, settings: Settings) -> None:
    _, payload, _ = _token(probe, settings).split(".")
    header = _b64(json.dumps({"alg": "none", "typ": ACCESS_TOKEN_TYP}).encode())
    _assert_invalid_token(_get(probe, f"{header}.{payload}."), "algorithm-not-allowed")


def test_hs256_signed_with_our_public_key(probe: TestClient, settings: Settings) -> None:
    ring = probe.app.state.keystore.access  # type: ignore[attr-defined]
    public_pem = ring.active.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(
        json.dumps({"alg": "HS256", "typ": ACCESS_TOKEN_TYP, "kid": ring.active_kid}).encode()
    )
    _, payload, _ = _token(probe, settings).split(".")
    signature = _b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    _assert_invalid_token(_get(probe, f"{header}.{payload}.{signature}"), "algorithm-not-allowed")


def test_expired(probe: TestClient, settings: Settings) -> None:
    token = _token(probe, settings, now=datetime.now(UTC) - timedelta(hours=2))
    _assert_invalid_token(_get(probe, token), "expired")


def test_not_yet_valid(probe: TestClient, settings: Settings) -> None:
    ring = probe.app.state.keystore.access  # type: ignore[attr-defined]
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": settings.public_url,
        "sub": "p1",
        "aud": settings.access_token_audience,
        "iat": now,
        "nbf": now + 600,
        "exp": now + 1200,
        "jti": "x",
        "role": "mentee",
        "scope": "",
    }
    _assert_invalid_token(
        _get(probe, jws.sign(claims, ring.active, ACCESS_TOKEN_TYP)), "not-yet-valid"
    )


def test_wrong_audience(probe: TestClient, settings: Settings) -> None:
    _assert_invalid_token(
        _get(probe, _token(probe, settings, audience="https://elsewhere.test")), "audience-mismatch"
    )


def test_wrong_issuer(probe: TestClient, settings: Settings) -> None:
    _assert_invalid_token(
        _get(probe, _token(probe, settings, issuer="https://evil.test")), "issuer-mismatch"
    )


def _admin_claims(settings: Settings) -> dict[str, object]:
    """Claims that would make a valid admin access token, if signed as one with an access key."""
    now = int(datetime.now(UTC).timestamp())
    return {
        "iss": settings.public_url,
        "sub": "p1",
        "aud": settings.access_token_audience,
        "iat": now,
        "exp": now + 600,
        "jti": "x",
        "role": "admin",
    }


@pytest.mark.parametrize("typ", ["rolodex-bundle+jwt", "rolodex-consent-receipt+jwt", "JWT"])
def test_a_document_presented_as_an_access_token_is_refused(
    probe: TestClient, settings: Settings, typ: str
) -> None:
    documents = probe.app.state.keystore.documents  # type: ignore[attr-defined]
    claims = _admin_claims(settings)
    _assert_invalid_token(_get(probe, jws.sign(claims, documents.active, typ)), "type-mismatch")


def test_access_typ_signed_with_a_document_key_is_refused(
    probe: TestClient, settings: Settings
) -> None:
    documents = probe.app.state.keystore.documents  # type: ignore[attr-defined]
    claims = _admin_claims(settings)
    _assert_invalid_token(
        _get(probe, jws.sign(claims, documents.active, ACCESS_TOKEN_TYP)), "key-not-found"
    )


def test_unknown_kid(probe: TestClient, settings: Settings) -> None:
    token = _token(probe, settings)
    header, payload, signature = token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(header + "=="))
    fields["kid"] = "access-unknown"
    _assert_invalid_token(
        _get(probe, f"{_b64(json.dumps(fields).encode())}.{payload}.{signature}"), "key-not-found"
    )


def test_payload_tampered(probe: TestClient, settings: Settings) -> None:
    header, payload, signature = _token(probe, settings).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    _assert_invalid_token(
        _get(probe, f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"),
        "signature-invalid",
    )


def test_oversized_token(probe: TestClient, settings: Settings) -> None:
    token = _token(
        probe, settings, programs=[f"program-{i:05d}" for i in range(600)], role=Role.ADMIN
    )
    assert len(token) > 4096
    _assert_invalid_token(_get(probe, token), "too-large")


def test_missing_scope_is_403_insufficient_scope(probe: TestClient, settings: Settings) -> None:
    token = _token(
        probe,
        settings,
        role=Role.PARTNER,
        subject="client_x",
        platform_id="acme",
        scopes=["imports:write"],
    )
    response = probe.get("/probe/bundles", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["type"].endswith("/insufficient-scope")
    assert (
        response.headers["www-authenticate"]
        == 'Bearer realm="rolodex", error="insufficient_scope", scope="bundles:read"'
    )


def test_partner_with_the_scope_passes(probe: TestClient, settings: Settings) -> None:
    token = _token(
        probe,
        settings,
        role=Role.PARTNER,
        subject="client_x",
        platform_id="acme",
        scopes=["bundles:read"],
    )
    response = probe.get("/probe/bundles", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"platform": "acme"}


def test_people_cannot_call_partner_operations(probe: TestClient, tokens: TokenFactory) -> None:
    response = probe.get("/probe/bundles", headers=tokens.headers("p1", "mentee"))
    assert response.status_code == 403


def test_admin_only_route(probe: TestClient, tokens: TokenFactory) -> None:
    assert probe.get("/probe/admin", headers=tokens.headers("p1", "mentor")).status_code == 403
    assert probe.get("/probe/admin", headers=tokens.headers("root", "admin")).status_code == 200
