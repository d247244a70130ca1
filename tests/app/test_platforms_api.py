"""Registering trusted partner platforms (admin only), with validated issuers, keys and webhooks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from auth.keys import new_key
from tests.conftest import TokenFactory

BASE = {
    "id": "acme",
    "name": "Acme",
    "issuer": "https://acme.example",
    "jwks_url": "https://acme.example/jwks.json",
}


def _admin(tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers("root", "admin")


def test_register_read_list_update_and_unregister(client: TestClient, tokens: TokenFactory) -> None:
    created = client.post("/v1/admin/platforms", json=BASE, headers=_admin(tokens))
    assert created.status_code == 201
    assert created.headers["location"] == "/v1/admin/platforms/acme"
    assert created.json()["issuer"] == "https://acme.example"

    assert client.get("/v1/admin/platforms/acme", headers=_admin(tokens)).json()["name"] == "Acme"
    assert [
        p["id"] for p in client.get("/v1/admin/platforms", headers=_admin(tokens)).json()["items"]
    ] == ["acme"]

    jwk = new_key("acme", datetime.now(UTC)).public_jwk()
    patched = client.patch(
        "/v1/admin/platforms/acme",
        json={
            "jwks": {"keys": [{**jwk, "d": "must-be-dropped"}]},
            "webhook_url": "https://acme.example/hook",
        },
        headers=_admin(tokens),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["jwks_url"] is None
    assert patched.json()["jwks"]["keys"][0]["kid"] == jwk["kid"]
    assert "d" not in patched.json()["jwks"]["keys"][0]

    assert client.delete("/v1/admin/platforms/acme", headers=_admin(tokens)).status_code == 204
    assert client.get("/v1/admin/platforms/acme", headers=_admin(tokens)).status_code == 404
    assert client.delete("/v1/admin/platforms/acme", headers=_admin(tokens)).status_code == 404


def test_duplicate_id_or_issuer_is_409(client: TestClient, tokens: TokenFactory) -> None:
    assert client.post("/v1/admin/platforms", json=BASE, headers=_admin(tokens)).status_code == 201
    assert client.post("/v1/admin/platforms", json=BASE, headers=_admin(tokens)).status_code == 409
    other = {**BASE, "id": "acme2"}
    assert client.post("/v1/admin/platforms", json=other, headers=_admin(tokens)).status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {**BASE, "jwks_url": None},
        {**BASE, "jwks": {"keys": []}},
        {**BASE, "id": "has space"},
        {**BASE, "webhook_url": "http://partner.example/hook"},
        {**BASE, "jwks_url": "ftp://acme.example/jwks"},
        {**BASE, "webhook_url": "https://user:pw@acme.example/hook"},
        {**BASE, "unknown": True},
    ],
)
def test_invalid_registrations_are_422(
    client: TestClient, tokens: TokenFactory, body: dict[str, object]
) -> None:
    response = client.post("/v1/admin/platforms", json=body, headers=_admin(tokens))
    assert response.status_code == 422
    assert client.get("/v1/admin/platforms", headers=_admin(tokens)).json()["items"] == []


def test_loopback_http_is_allowed_in_development(client: TestClient, tokens: TokenFactory) -> None:
    body = {**BASE, "webhook_url": "http://127.0.0.1:9999/hook"}
    assert client.post("/v1/admin/platforms", json=body, headers=_admin(tokens)).status_code == 201


def test_only_admins_manage_platforms(client: TestClient, tokens: TokenFactory) -> None:
    assert client.post("/v1/admin/platforms", json=BASE).status_code == 401
    assert (
        client.post(
            "/v1/admin/platforms", json=BASE, headers=tokens.headers("per_x", "mentee")
        ).status_code
        == 403
    )
    assert (
        client.get("/v1/admin/platforms", headers=tokens.headers("per_x", "mentor")).status_code
        == 403
    )
