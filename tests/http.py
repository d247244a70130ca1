"""Assertions on HTTP answers shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.settings import Settings
from auth.principals import Scope
from graph.errors import no_such


def partner_headers(client: TestClient, settings: Settings) -> dict[str, str]:
    """A partner platform client's token, holding every partner scope."""
    from tests.conftest import TokenFactory

    return TokenFactory(client, settings).partner("platform-1", [scope.value for scope in Scope])


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert `response` is an `application/problem+json` with `status`; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert "Traceback" not in response.text
    assert "MATCH" not in response.text
    return body


def hidden(response: httpx.Response, kind: str, item_id: str) -> None:
    """Assert the answer is exactly the 404 a missing item of that kind gets."""
    body = problem(response, 404)
    assert body["type"] == "https://rolodex.dev/problems/not-found"
    assert body["title"] == "Not found"
    assert body["detail"] == no_such(kind, item_id)


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()
