"""The two validators of bundle bodies (jsonschema-rs first, the Python jsonschema for the wording
of refusals) agree: on valid bundles of both schema versions, and on bundles broken in the ways a
faulty partner breaks them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from portability.bundle.schema import fast_validator_for, schema_errors, validator_for
from tests.support.fake_partner import FakePartner

V1_BODY = Path(__file__).resolve().parents[1] / "fixtures" / "bundle_v1_body.json"
Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def partner() -> Iterator[FakePartner]:
    fake = FakePartner("schema-check")
    yield fake
    fake.close()


def _claims(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "iss": "https://p.example",
        "sub": "ext-1",
        "aud": "rolodex",
        "iat": 1,
        "nbf": 1,
        "exp": 2,
        "jti": "bdl_1",
        "rolodex": body,
    }


def _v2(partner: FakePartner) -> dict[str, Any]:
    scopes = ["contacts", "profile", "sessions"]
    return _claims(partner.body_v2(subject="ext-1", audience="rolodex", scopes=scopes, contacts=3))


def _v1() -> dict[str, Any]:
    body = json.loads(V1_BODY.read_text())
    body.update(consent_receipt="a.b.c", status_url="https://p.example/status/1")
    return _claims(body)


def _both(payload: dict[str, Any], version: int) -> tuple[bool, bool]:
    return fast_validator_for(version).is_valid(payload), validator_for(version).is_valid(payload)


def test_valid_bundles_of_both_versions_pass_both(partner: FakePartner) -> None:
    assert _both(_v2(partner), 2) == (True, True)
    assert _both(_v1(), 1) == (True, True)
    assert schema_errors(_v2(partner), 2) == []


BROKEN: list[tuple[str, Mutation]] = [
    ("no consent", lambda c: c["rolodex"].pop("consent")),
    ("version a string", lambda c: c["rolodex"].update(version="2")),
    ("contacts not a list", lambda c: c["rolodex"].update(contacts={"c0": {}})),
    ("a contact without id", lambda c: c["rolodex"]["contacts"][0].pop("id")),
    ("a contact's id a number", lambda c: c["rolodex"]["contacts"][0].update(id=7)),
    ("an unknown contact kind", lambda c: c["rolodex"]["contacts"][0].update(kind="robot")),
    ("an unknown member", lambda c: c["rolodex"]["contacts"][0].update(password="x")),
    ("categories not strings", lambda c: c["rolodex"]["contacts"][0].update(categories=[1])),
    ("a null display name", lambda c: c["rolodex"]["profile"].update(display_name=None)),
    ("skills a string", lambda c: c["rolodex"]["profile"].update(skills="python")),
    ("iat a boolean", lambda c: c.update(iat=True)),
    ("a session without status", lambda c: c["rolodex"]["sessions"][0].pop("status")),
    ("an unknown scope", lambda c: c["rolodex"].update(scopes=["contacts", "secrets"])),
    ("a huge integer", lambda c: c.update(iat=10**40)),
]


@pytest.mark.parametrize(("what", "mutate"), BROKEN, ids=[what for what, _ in BROKEN])
def test_broken_bundles_get_the_same_verdict_from_both(
    partner: FakePartner, what: str, mutate: Mutation
) -> None:
    payload = copy.deepcopy(_v2(partner))
    mutate(payload)
    fast = fast_validator_for(2).is_valid(payload) if what != "a huge integer" else None
    reference = validator_for(2).is_valid(payload)
    if fast is not None:
        assert fast == reference
    assert (schema_errors(payload, 2) == []) == reference
