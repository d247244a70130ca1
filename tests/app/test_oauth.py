"""POST /oauth/token: the client-credentials grant answers as RFC 6749 says, errors included."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from auth.secrets import hash_secret
from auth.tokens import verify_access_token
from graph.clients import create_client
from graph.db import Graph

SECRET = "s3cret-for-tests-only-0123456789"


@pytest.fixture
async def partner_client(graph: Graph) -> str:
    await create_client(
        graph,
        client_id="client_acme",
        platform_id="acme",
        name="Acme Learning",
        scopes=["bundles:read", "imports:write"],
        secret_hash=hash_secret(SECRET),
    )
    return "client_acme"


def _form(client_id: str, secret: str = SECRET, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        **extra,
    }


def test_grant_issues_a_partner_token(
    client: TestClient, settings: Settings, partner_client: str
) -> None:
    response = client.post("/oauth/token", data=_form(partner_client, scope="bundles:read"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "bundles:read"
    assert body["expires_in"] == settings.access_token_ttl_seconds
    principal = verify_access_token(
        body["access_token"],
        client.app.state.keystore.access,  # type: ignore[attr-defined]
        issuer=settings.public_url,
        audience=settings.access_token_audience,
    )
    assert principal.platform_id == "acme"
    assert principal.scopes == {"bundles:read"}


def test_no_scope_means_every_scope_of_the_client(client: TestClient, partner_client: str) -> None:
    response = client.post("/oauth/token", data=_form(partner_client))
    assert response.json()["scope"] == "bundles:read imports:write"


def test_http_basic_client_authentication(client: TestClient, partner_client: str) -> None:
    basic = base64.b64encode(f"{partner_client}:{SECRET}".encode()).decode()
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


def test_wrong_secret_is_invalid_client(client: TestClient, partner_client: str) -> None:
    response = client.post("/oauth/token", data=_form(partner_client, secret="wrong"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


def test_unknown_client_is_invalid_client(client: TestClient) -> None:
    response = client.post("/oauth/token", data=_form("client_nobody"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_scope_beyond_the_client_is_invalid_scope(client: TestClient, partner_client: str) -> None:
    response = client.post(
        "/oauth/token", data=_form(partner_client, scope="bundles:read consents:read")
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_other_grant_types_are_unsupported(client: TestClient, partner_client: str) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "password", "client_id": partner_client, "client_secret": SECRET},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_missing_credentials_is_invalid_request(client: TestClient) -> None:
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_stored_client_has_no_plain_secret(graph: Graph, partner_client: str) -> None:
    rows = await graph.query(
        "MATCH (c:Client {client_id: $id}) RETURN properties(c) AS props", {"id": partner_client}
    )
    props = rows[0]["props"]
    assert SECRET not in str(props)
    assert props["secret_hash"].startswith("$argon2id$")


def test_token_requests_are_rate_limited(settings: Settings, partner_client: str) -> None:
    from app.main import create_app

    limited = settings.model_copy(update={"rate_limit_token_per_minute": 1, "rate_limit_burst": 2})
    with TestClient(create_app(limited)) as client:
        statuses = [
            client.post("/oauth/token", data=_form(partner_client)).status_code for _ in range(3)
        ]
        last = client.post("/oauth/token", data=_form(partner_client))
    assert statuses[:2] == [200, 200]
    assert last.status_code == 429
    assert last.headers["content-type"] == "application/problem+json"
    assert int(last.headers["retry-after"]) >= 1
