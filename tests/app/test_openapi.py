"""The committed OpenAPI document equals what the app serves (regenerate with `rolodex openapi`)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from app.cli.service import BUNDLE_SCHEMA_PATH, OPENAPI_PATH, render_openapi
from export.schema import current_schema

ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_matches_the_app(client: TestClient) -> None:
    served = client.get("/openapi.json").json()
    committed = (ROOT / OPENAPI_PATH).read_text()
    assert committed == render_openapi(served), "openapi/ drifted: run `rolodex openapi` and commit"


def test_operation_ids_are_unique_and_tagged(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    ids = [
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    ]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        tag, _, name = operation_id.partition("-")
        assert tag, operation_id
        assert name, operation_id
    assert "Problem" in document["components"]["schemas"]
    json.dumps(document)  # serialisable as committed


def test_committed_bundle_schema_matches_the_models() -> None:
    committed = (ROOT / BUNDLE_SCHEMA_PATH).read_text()
    assert committed == render_openapi(current_schema()), (
        "bundle schema drifted: run `rolodex openapi` and commit"
    )
    assert json.loads(committed)["$id"] == "https://rolodex.dev/schemas/bundle/v2.json"
