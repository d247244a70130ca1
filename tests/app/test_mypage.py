"""app/routers/mypage.py: the /me page, its sign-in settings, the platform directory and the
development-only "sign in as"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.db import Graph
from graph.demo import load_demo_if_empty
from tests.conftest import TokenFactory
from tests.http import ok, problem


def _client(settings: Settings, **changes: object) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update=changes))) as client:
        yield client


@pytest.fixture
def production(settings: Settings) -> Iterator[TestClient]:
    yield from _client(settings, environment="production", dev_sign_in=True)


@pytest.fixture
def with_idp(settings: Settings) -> Iterator[TestClient]:
    yield from _client(
        settings,
        external_idp_issuer="https://idp.example.org/realms/acme",
        oidc_client_id="rolodex-me",
        oidc_scopes="openid profile",
    )


def test_the_page_is_served_under_a_csp_that_names_only_the_idp(
    client: TestClient, with_idp: TestClient
) -> None:
    page = client.get("/me")
    if page.status_code == 503:
        pytest.skip("the dashboard is not built (make dashboard)")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "connect-src 'self';" in csp
    assert "<script>" not in page.text  # no inline script: only the built module
    assert 'src="/admin/assets/mypage-' in page.text
    csp = with_idp.get("/me").headers["content-security-policy"]
    assert "connect-src 'self' https://idp.example.org;" in csp
    assert "script-src 'self';" in csp


def test_config_tells_the_page_how_to_sign_in(
    client: TestClient, with_idp: TestClient, production: TestClient
) -> None:
    assert ok(with_idp.get("/me/config.json")) == {
        "issuer": "https://idp.example.org/realms/acme",
        "client_id": "rolodex-me",
        "scopes": "openid profile",
        "redirect_path": "/me",
        "resource": None,
        "dev_sign_in": True,
        "environment": "test",
    }
    assert ok(client.get("/me/config.json"))["issuer"] is None
    assert ok(production.get("/me/config.json"))["dev_sign_in"] is False


async def test_dev_sign_in_only_as_a_demo_person_and_never_in_production(
    client: TestClient, production: TestClient, graph: Graph, tokens: TokenFactory
) -> None:
    assert ok(client.get("/v1/dev/people")) == []
    await load_demo_if_empty(graph)
    people = ok(client.get("/v1/dev/people"))
    assert {p["id"] for p in people} >= {"demo-ada"}
    mentee = next(p for p in people if p["roles"] == ["mentee"])
    signed = ok(client.post("/v1/dev/sign-in", json={"person_id": mentee["id"]}))
    assert signed["role"] == "mentee"
    me = ok(client.get("/v1/me", headers={"Authorization": f"Bearer {signed['access_token']}"}))
    assert me["id"] == mentee["id"]
    # Anyone else, even an existing person, is refused: only the demo people.
    created = client.post(
        "/v1/people",
        json={"display_name": "Real", "roles": ["mentee"]},
        headers=tokens.headers("real-person", "mentee"),
    )
    assert created.status_code == 201
    problem(client.post("/v1/dev/sign-in", json={"person_id": "real-person"}), 404)
    problem(client.post("/v1/dev/sign-in", json={"person_id": "../x"}), 422)
    # Production: not there at all, whatever ROLODEX_DEV_SIGN_IN says.
    problem(production.post("/v1/dev/sign-in", json={"person_id": mentee["id"]}), 404)
    problem(production.get("/v1/dev/people"), 404)


def test_people_see_only_the_names_of_partner_platforms(
    client: TestClient, tokens: TokenFactory, acme: str
) -> None:
    listed = ok(client.get("/v1/platforms", headers=tokens.headers("someone", "mentee")))
    assert listed["items"] == [{"platform_id": "acme", "name": "Acme"}]
    problem(client.get("/v1/platforms"), 401)


async def test_a_new_idp_subject_creates_their_profile_with_their_sub_as_id(
    client: TestClient, tokens: TokenFactory
) -> None:
    headers = tokens.headers("idp-subject-42", "mentee")
    problem(client.get("/v1/me", headers=headers), 404)
    made = client.post(
        "/v1/people", json={"display_name": "New Person", "roles": ["mentee"]}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert ok(client.get("/v1/me", headers=headers))["id"] == "idp-subject-42"
