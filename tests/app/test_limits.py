"""Limits, each answering problem+json: body size (413), pagination (422 below 1, clamped above
200), network depth (422), bundle items (413), rate limits (429 with Retry-After).

The body-size and pagination tests iterate the OpenAPI document, so every route the app has —
including routes added later — is covered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.routers.imports import IMPORTS_PATH
from app.settings import Settings
from graph.db import Graph
from graph.pagination import MAX_LIMIT
from tests import builders
from tests.builders import count, person
from tests.conftest import TokenFactory
from tests.http import problem
from tests.support.fake_partner import FakePartner

SMALL_BODY_CAP = 4096


@pytest.fixture
def small(settings: Settings) -> Iterator[TestClient]:
    """An app with a small body cap, a small import cap, few items and tight rate limits."""
    tight = settings.model_copy(
        update={
            "max_body_bytes": SMALL_BODY_CAP,
            "import_max_bytes": 64 * 1024,
            "import_max_items": 5,
            "rate_limit_export_per_minute": 1,
            "rate_limit_import_per_minute": 1,
            "rate_limit_token_per_minute": 1,
            "rate_limit_burst": 2,
            "webhook_worker_enabled": False,
        }
    )
    with TestClient(create_app(tight)) as client:
        yield client


def _operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    document = client.get("/openapi.json").json()
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _concrete(path: str) -> str:
    """The path with every `{parameter}` filled with a plausible id."""
    parts = [("x_1" if part.startswith("{") else part) for part in path.split("/")]
    return "/".join(parts)


def test_every_operation_with_a_body_refuses_one_over_the_cap(small: TestClient) -> None:
    tokens = TokenFactory(small, small.app.state.settings)  # type: ignore[attr-defined]
    oversized = b"{" + b" " * (SMALL_BODY_CAP + 10) + b"}"
    checked = 0
    for method, path, operation in _operations(small):
        if "requestBody" not in operation or path == IMPORTS_PATH:
            continue
        response = small.request(
            method,
            _concrete(path),
            content=oversized,
            headers={"Content-Type": "application/json", **tokens.headers("root", "admin")},
        )
        body = problem(response, 413)
        assert body["type"] == "https://rolodex.dev/problems/payload-too-large", (method, path)
        assert "413" in operation["responses"], f"{method} {path} does not document its 413"
        checked += 1
    assert checked >= 10


def test_the_cap_holds_without_a_content_length(small: TestClient, graph: Graph) -> None:
    """A chunked body is counted as it arrives; nothing past the cap is parsed or written."""
    tokens = TokenFactory(small, small.app.state.settings)  # type: ignore[attr-defined]

    def chunks() -> Iterator[bytes]:
        yield b'{"display_name": "'
        for _ in range(SMALL_BODY_CAP // 512 + 2):
            yield b"a" * 512
        yield b'", "roles": ["mentee"]}'

    response = small.post(
        "/v1/people",
        content=chunks(),
        headers={"Content-Type": "application/json", **tokens.headers("root", "admin")},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    problem(response, 413)
    assert response.headers["X-Request-ID"]


async def test_the_cap_applies_before_authentication(small: TestClient, graph: Graph) -> None:
    response = small.post(
        "/v1/people",
        content=b"x" * (SMALL_BODY_CAP + 1),
        headers={"Content-Type": "application/json"},
    )
    problem(response, 413)
    assert await count(graph, "Person") == 0


def test_imports_keep_their_own_larger_cap(small: TestClient) -> None:
    tokens = TokenFactory(small, small.app.state.settings)  # type: ignore[attr-defined]
    headers = {**tokens.partner("acme", ["imports:write"]), "Content-Type": "application/jose"}
    # Above the global cap but within the import cap: it reaches the importer's checks.
    within = small.post(IMPORTS_PATH, content=b"a" * (SMALL_BODY_CAP * 2), headers=headers)
    assert problem(within, 400)["type"].endswith("/bundle-malformed")
    over = small.post(IMPORTS_PATH, content=b"a" * (64 * 1024 + 2048), headers=headers)
    assert problem(over, 413)["type"].endswith("/bundle-too-large")


async def test_every_list_refuses_a_limit_below_one_and_clamps_a_large_one(
    client: TestClient, graph: Graph
) -> None:
    tokens = TokenFactory(client, client.app.state.settings)  # type: ignore[attr-defined]
    admin = tokens.headers("root", "admin")
    # Real objects: the policy loads a route's object (404 when missing) before its parameters.
    the_mentor, mentee, cohort = await builders.pair(graph)
    mentorship = await builders.mentorship(graph, the_mentor["id"], mentee["id"], cohort["id"])
    ids = {
        "person_id": mentee["id"],
        "program_id": cohort["program_id"],
        "mentorship_id": mentorship["id"],
    }
    lists = [
        (method, path)
        for method, path, operation in _operations(client)
        if any(p["name"] == "limit" for p in operation.get("parameters", []))
    ]
    assert len(lists) >= 8
    own = tokens.headers(mentee["id"], "mentee")  # `/v1/me/…` lists are the person's own
    for method, template in lists:
        path = template.format(**ids)
        caller = own if path.startswith("/v1/me/") else admin
        low = client.request(method, _concrete(path), params={"limit": 0}, headers=caller)
        assert problem(low, 422)["errors"][0]["loc"] == ["query", "limit"], path
        high = client.request(method, _concrete(path), params={"limit": 10**6}, headers=caller)
        assert high.status_code in (200, 403, 404), (path, high.text)
        if high.status_code == 200:
            body = high.json()
            assert len(body.get("items", body.get("matches"))) <= MAX_LIMIT


async def test_a_large_limit_is_clamped_to_the_maximum(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await person(graph, "Owner")
    await graph.query(
        "MATCH (p:Person {id: $id}) UNWIND range(1, $n) AS i "
        "CREATE (p)-[:HAS_CONTACT]->(:Contact {id: 'ctc_' + i, name: 'C' + i, source: 'manual', "
        "created_at: datetime() + duration({seconds: i})})",
        {"id": owner["id"], "n": MAX_LIMIT + 5},
        write=True,
    )
    page = client.get(
        f"/v1/people/{owner['id']}/contacts",
        params={"limit": 5000},
        headers=tokens.headers(owner["id"], "mentee"),
    ).json()
    assert len(page["items"]) == MAX_LIMIT
    assert page["next_cursor"] is not None


@pytest.mark.parametrize("depth", [0, 4, -1, 1000])
async def test_network_depth_outside_one_to_three_is_refused(
    client: TestClient, tokens: TokenFactory, graph: Graph, depth: int
) -> None:
    owner = await person(graph, "Owner")
    response = client.get(
        f"/v1/people/{owner['id']}/network",
        params={"depth": depth},
        headers=tokens.headers(owner["id"], "mentee"),
    )
    assert problem(response, 422)["errors"][0]["loc"] == ["query", "depth"]


async def test_a_bundle_with_more_items_than_the_cap_is_refused(
    small: TestClient, graph: Graph
) -> None:
    tokens = TokenFactory(small, small.app.state.settings)  # type: ignore[attr-defined]
    partner = FakePartner("acme")
    try:
        registered = small.post(
            "/v1/admin/platforms",
            json=partner.registration(),
            headers=tokens.headers("root", "admin"),
        )
        assert registered.status_code == 201, registered.text
        before = await count(graph, "Contact")
        response = small.post(
            IMPORTS_PATH,
            json={"bundle": partner.v2(contacts=10)},  # 10 contacts + profile > 5 items
            headers=tokens.partner("acme", ["imports:write"]),
        )
    finally:
        partner.close()
    body = problem(response, 413)
    assert body["type"].endswith("/bundle-too-large")
    assert "limit is 5" in body["detail"]
    assert await count(graph, "Contact") == before


async def test_rate_limits_answer_429_with_retry_after(small: TestClient, graph: Graph) -> None:
    tokens = TokenFactory(small, small.app.state.settings)  # type: ignore[attr-defined]
    sam = await person(graph, "Sam")
    calls: dict[str, Callable[[], httpx.Response]] = {
        "export": lambda: small.post(
            f"/v1/people/{sam['id']}/bundles",
            json={"audience": "self", "scopes": ["profile"]},
            headers=tokens.headers(sam["id"], "mentee"),
        ),
        "import": lambda: small.post(
            IMPORTS_PATH,
            content=b"not a jws",
            headers={
                **tokens.partner("acme", ["imports:write"]),
                "Content-Type": "application/jose",
            },
        ),
        "token": lambda: small.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "nobody",
                "client_secret": "wrong",
            },
        ),
    }
    for name, call in calls.items():
        answers = [call() for _ in range(4)]  # burst 2, one a minute
        limited = [a for a in answers if a.status_code == 429]
        assert limited, f"{name}: {[a.status_code for a in answers]}"
        body = problem(limited[0], 429)
        assert body["type"] == "https://rolodex.dev/problems/rate-limited", name
        assert int(limited[0].headers["Retry-After"]) >= 1, name
