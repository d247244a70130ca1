"""The committed OpenAPI document equals what the app serves (regenerate with `rolodex openapi`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.cli.service import BUNDLE_SCHEMA_PATH, OPENAPI_PATH, render_openapi
from portability.bundle.schema import current_schema

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


def _refs(node: object) -> list[str]:
    """Every `$ref` value anywhere in a JSON document."""
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.append(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _resolves(document: Mapping[str, Any], ref: str) -> bool:
    if not ref.startswith("#/"):
        return False
    node: object = document
    for part in ref[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def test_every_ref_in_the_openapi_documents_resolves(client: TestClient) -> None:
    """A dangling `$ref` (e.g. POST /v1/imports naming a missing ImportBody) fails here."""
    for document in (
        client.get("/openapi.json").json(),
        json.loads((ROOT / OPENAPI_PATH).read_text()),
    ):
        refs = _refs(document)
        assert refs, "the document uses no $ref at all?"
        dangling = sorted({ref for ref in refs if not _resolves(document, ref)})
        assert dangling == []


def test_the_dangling_ref_check_catches_one() -> None:
    document = {"paths": {"/x": {"$ref": "#/components/schemas/ImportBody"}}, "components": {}}
    assert not _resolves(document, "#/components/schemas/ImportBody")
