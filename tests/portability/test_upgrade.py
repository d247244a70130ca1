"""Upgrading bundle claims to the current schema never changes its input and copies nothing that
is already current."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from portability.bundle.models import SCHEMA_VERSION
from portability.bundle.upgrade import upgrade

V1_BODY = Path(__file__).resolve().parents[1] / "fixtures" / "bundle_v1_body.json"


def _v1_claims() -> dict[str, Any]:
    body = json.loads(V1_BODY.read_text())
    body.update(consent_receipt="receipt.jws.here", status_url="https://p.example/status/1")
    return {"iss": "https://p.example", "sub": "ext-vera", "jti": "bdl_v1", "rolodex": body}


def test_a_v1_upgrade_builds_a_v2_body_and_leaves_its_input_unchanged() -> None:
    claims = _v1_claims()
    before = copy.deepcopy(claims)
    upgraded = upgrade(claims, 1)
    assert claims == before
    assert upgraded["rolodex"]["version"] == SCHEMA_VERSION
    assert upgraded["rolodex"]["consent"]["receipt"] == "receipt.jws.here"
    assert all(contact["kind"] == "card" for contact in upgraded["rolodex"]["contacts"])


def test_current_claims_come_back_as_they_are() -> None:
    claims = {"iss": "https://p.example", "rolodex": {"version": SCHEMA_VERSION, "contacts": []}}
    assert upgrade(claims, SCHEMA_VERSION) is claims
