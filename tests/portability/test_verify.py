"""Offline bundle checks that need no server: JSON depth guard, body schema, summary."""

from __future__ import annotations

import base64
import json

import pytest

from portability.errors import PortabilityError
from portability.verify import MAX_JSON_DEPTH, check_body, json_depth, peek_claims


def _token(payload: str) -> str:
    encoded = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJFUzI1NiJ9.{encoded}.sig"


def test_deep_nesting_is_refused_before_parsing() -> None:
    deep = '{"a":' * 10_000 + "1" + "}" * 10_000
    with pytest.raises(PortabilityError) as refused:
        peek_claims(_token(deep))
    assert refused.value.code == "bundle-malformed"
    assert "deeper" in refused.value.detail


def test_brackets_inside_strings_do_not_count() -> None:
    assert peek_claims(_token(json.dumps({"text": "[[[[{{{{" * 100})))["text"].startswith("[[[[")


def test_invalid_utf8_payload_is_malformed() -> None:
    encoded = base64.urlsafe_b64encode(b"\xff\xfe{}").rstrip(b"=").decode()
    with pytest.raises(PortabilityError) as refused:
        peek_claims(f"x.{encoded}.y")
    assert refused.value.code == "bundle-malformed"


def test_json_depth_counts_levels_iteratively() -> None:
    assert json_depth({"a": [1, {"b": []}]}) == 4
    value: object = 1
    for _ in range(MAX_JSON_DEPTH + 10):
        value = [value]
    assert json_depth(value) > MAX_JSON_DEPTH


@pytest.mark.parametrize("version", [None, "2", 3, True, 0])
def test_unknown_versions_are_schema_invalid(version: object) -> None:
    with pytest.raises(PortabilityError) as refused:
        check_body({"rolodex": {"version": version}})
    assert refused.value.code == "schema-invalid"


def test_a_body_missing_required_fields_is_schema_invalid() -> None:
    claims = {
        "iss": "x",
        "sub": "y",
        "aud": "z",
        "iat": 1,
        "nbf": 1,
        "exp": 2,
        "jti": "j",
        "rolodex": {"version": 2, "scopes": ["profile"]},
    }
    with pytest.raises(PortabilityError) as refused:
        check_body(claims)
    assert refused.value.code == "schema-invalid"
    assert "consent" in refused.value.detail
