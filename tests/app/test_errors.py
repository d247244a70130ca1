"""Every error is application/problem+json (RFC 9457) with a request id and no internals."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from app.errors import ConflictError
from app.main import create_app
from app.settings import Settings


class Body(BaseModel):
    name: str = Field(min_length=1)
    age: int


def _app_with_probe_routes(settings: Settings) -> TestClient:
    app = create_app(settings)
    router = APIRouter(tags=["probe"])

    @router.post("/probe/validate")
    async def validate(body: Body) -> Body:
        return body

    @router.get("/probe/conflict")
    async def conflict() -> None:
        raise ConflictError("That already exists.")

    @router.get("/probe/crash")
    async def crash() -> None:
        raise RuntimeError("secret cypher MATCH (n) RETURN n")

    app.include_router(router)
    return TestClient(app)


def test_unknown_path_is_404_problem(client: TestClient) -> None:
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://rolodex.dev/problems/not-found"
    assert body["status"] == 404
    assert body["title"] == "Not found"
    assert body["instance"] == "/no/such/thing"
    assert body["request_id"] == response.headers["x-request-id"]


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/method-not-allowed")


def test_validation_errors_list_each_field(settings: Settings) -> None:
    with _app_with_probe_routes(settings) as client:
        response = client.post("/probe/validate", json={"name": "", "age": "old"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/validation-failed")
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert locations == {("body", "name"), ("body", "age")}


def test_malformed_json_is_a_problem(settings: Settings) -> None:
    with _app_with_probe_routes(settings) as client:
        response = client.post(
            "/probe/validate", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_typed_errors_render_their_own_type(settings: Settings) -> None:
    with _app_with_probe_routes(settings) as client:
        response = client.get("/probe/conflict")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/conflict")
    assert response.json()["detail"] == "That already exists."


def test_unexpected_error_is_generic_500_without_internals(settings: Settings) -> None:
    with _app_with_probe_routes(settings) as client:
        response = client.get("/probe/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]
    text = response.text
    assert "MATCH" not in text
    assert "Traceback" not in text
    assert "RuntimeError" not in text


def test_request_id_is_echoed_when_well_formed_and_replaced_when_not(client: TestClient) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc12345-trace"})
    assert echoed.headers["x-request-id"] == "abc12345-trace"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32
