"""Liveness and readiness: /healthz answers while the process lives, /readyz only when Neo4j does."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


def test_healthz_is_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_neo4j_answers(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_is_503_problem_when_neo4j_is_gone(client: TestClient) -> None:
    # Close the app's driver under it: the process lives on, the database is unreachable.
    graph = client.app.state.graph  # type: ignore[attr-defined]
    client.portal.call(graph.close)  # type: ignore[union-attr]

    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert ready.json()["type"].endswith("/service-unavailable")
    assert ready.headers["retry-after"] == "5"
    assert client.get("/healthz").status_code == 200


def test_start_up_names_the_uri_when_neo4j_is_unreachable(settings: Settings) -> None:
    unreachable = settings.model_copy(
        update={
            "neo4j_uri": "bolt://127.0.0.1:1",
            "neo4j_connect_attempts": 2,
            "neo4j_connect_backoff_seconds": 0.01,
        }
    )
    app = create_app(unreachable)
    with pytest.raises(RuntimeError) as refused, TestClient(app):
        pass
    assert "bolt://127.0.0.1:1" in str(refused.value)
    assert "unreachable after 2 attempts" in str(refused.value)
