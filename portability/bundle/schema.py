"""JSON Schemas (2020-12) of bundle payloads, one per schema version, and validation against them.

Version 2 (current) is generated from the pydantic models in `portability.bundle.models`; older
versions are frozen files in `export/schemas/` (the published schema files) and stay importable. `rolodex openapi` writes the current one to
`openapi/bundle.schema.json`; a test fails when the committed copy drifts.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from portability.bundle.models import SCHEMA_ID, SCHEMA_VERSION, BundleClaims

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SUPPORTED_VERSIONS = (1, 2)


def current_schema() -> dict[str, Any]:
    """The JSON Schema of a version-2 bundle's claims set (the whole JWS payload: `iss`, `sub`,
    …, and the `rolodex` body). `schema` and `version` are always written, so they are required
    (pydantic leaves members with a default optional)."""
    schema = BundleClaims.model_json_schema(by_alias=True, mode="serialization")
    body = schema["$defs"]["BundleBody"]
    body["required"] = [
        "schema",
        "version",
        *[n for n in body.get("required", []) if n not in ("schema", "version")],
    ]
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": f"Rolodex portable bundle, schema version {SCHEMA_VERSION}",
        **{key: value for key, value in schema.items() if key != "title"},
    }


@cache
def schema_for(version: int) -> dict[str, Any]:
    if version == SCHEMA_VERSION:
        return current_schema()
    if version in SUPPORTED_VERSIONS:
        text = (
            resources.files("export").joinpath(f"schemas/bundle.v{version}.schema.json").read_text()
        )
        frozen: dict[str, Any] = json.loads(text)
        return frozen
    raise KeyError(version)


@cache
def validator_for(version: int) -> Draft202012Validator:
    return Draft202012Validator(schema_for(version))


def schema_errors(payload: dict[str, Any], version: int) -> list[str]:
    """Human-readable schema violations of `payload` (empty when valid), at most 20."""
    errors = sorted(
        validator_for(version).iter_errors(payload), key=lambda e: list(e.absolute_path)
    )
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in errors[:20]
    ]
