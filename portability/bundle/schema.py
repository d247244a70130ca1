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

import jsonschema_rs
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


@cache
def fast_validator_for(version: int) -> jsonschema_rs.Validator:
    """The same schema compiled by jsonschema-rs (formats are annotations, as above)."""
    return jsonschema_rs.validator_for(schema_for(version), validate_formats=False)


def _fast_accepts(payload: dict[str, Any], version: int) -> bool:
    try:
        return bool(fast_validator_for(version).is_valid(payload))
    except (ValueError, TypeError, OverflowError):  # a value it cannot take: let jsonschema decide
        return False


def schema_errors(payload: dict[str, Any], version: int) -> list[str]:
    """Human-readable schema violations of `payload` (empty when valid), at most 20.

    Both validators implement the same 2020-12 schema; jsonschema-rs answers first (a
    10,000-contact bundle in milliseconds, where the Python validator takes seconds), and a
    payload it does not accept is judged and its problems worded by the Python validator, so a
    refusal reads as it always did (tests/portability/test_schema_validators.py checks that the
    two agree on valid and broken bundles).
    """
    if _fast_accepts(payload, version):
        return []
    errors = sorted(
        validator_for(version).iter_errors(payload), key=lambda e: list(e.absolute_path)
    )
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in errors[:20]
    ]
