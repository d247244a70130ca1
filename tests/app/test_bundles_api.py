"""Portable bundle export over HTTP: consent-gated, scope-exact, verifiable by independent libraries."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from jsonschema import Draft202012Validator

from graph.db import Graph
from tests.conftest import TokenFactory
from tests.support.person_graph import PRIVATE_MARKERS, SUBJECT, build_person_graph

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = ROOT / "tests" / "js"


@pytest.fixture
async def subject(graph: Graph) -> str:
    await build_person_graph(graph)
    return SUBJECT


def _payload(bundle: str) -> dict[str, Any]:
    segment = bundle.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded


def _grant(
    client: TestClient, tokens: TokenFactory, scopes: list[str], audience: str = "acme"
) -> str:
    response = client.post(
        f"/v1/people/{SUBJECT}/consents",
        json={"audience": audience, "scopes": scopes, "purpose": "share with the platform"},
        headers=tokens.headers(SUBJECT, "mentee"),
    )
    assert response.status_code == 201, response.text
    consent_id: str = response.json()["consent"]["id"]
    return consent_id


def _export(
    client: TestClient, headers: dict[str, str], audience: str, scopes: list[str] | None = None
) -> Any:
    body: dict[str, Any] = {"audience": audience}
    if scopes is not None:
        body["scopes"] = scopes
    return client.post(f"/v1/people/{SUBJECT}/bundles", json=body, headers=headers)


def test_self_export_verifies_independently_and_matches_the_schema(
    client: TestClient, tokens: TokenFactory, subject: str
) -> None:
    response = _export(client, tokens.headers(SUBJECT, "mentee"), "self")
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["audience"] == "self"
    assert result["scopes"] == [
        "contacts",
        "mentorships",
        "outcomes",
        "preferences",
        "profile",
        "sessions",
    ]

    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    decoded = jwt.decode(result["bundle"], key_set, algorithms=["ES256"])
    assert decoded.header["typ"] == "rolodex-bundle+jwt"
    claims = decoded.claims
    assert claims["jti"] == result["bundle_id"]
    assert claims["sub"] == SUBJECT
    assert claims["aud"] == "self"
    assert claims["exp"] > claims["iat"]

    schema = json.loads((ROOT / "openapi" / "bundle.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert sorted(e.message for e in Draft202012Validator(schema).iter_errors(claims)) == []

    body = claims["rolodex"]
    assert body["version"] == 2
    assert body["profile"]["display_name"] == "Sam Subject"
    assert "email" not in body["profile"]  # not on the profile allow-list
    assert len(body["contacts"]) == 4
    assert len(body["mentorships"]) == 1
    assert body["mentorships"][0]["role"] == "mentee"
    assert len(body["sessions"]) == 2
    assert body["outcomes"][0]["value"] == 3.5
    assert body["consent"]["status_url"].endswith(
        f"/v1/consents/{body['consent']['consent_id']}/status"
    )
    receipt = jwt.decode(body["consent"]["receipt"], key_set, algorithms=["ES256"])
    assert receipt.header["typ"] == "rolodex-consent-receipt+jwt"


def test_without_sessions_no_session_data_appears_anywhere(
    client: TestClient, tokens: TokenFactory, subject: str
) -> None:
    result = _export(
        client, tokens.headers(SUBJECT, "mentee"), "self", ["profile", "contacts"]
    ).json()
    payload = _payload(result["bundle"])
    text = json.dumps(payload)
    for absent in (
        "sessions",
        "mentorships",
        "outcomes",
        "preferences",
        "ses_1",
        "SESSION-NOTE",
        "mnt_main",
        "sentiment",
        "scheduled_at",
        "msr_1",
        "readiness",
    ):
        assert absent not in text, absent
    assert set(payload["rolodex"]) == {
        "schema",
        "version",
        "scopes",
        "consent",
        "profile",
        "contacts",
    }


def test_session_notes_never_leave_even_with_the_sessions_scope(
    client: TestClient, tokens: TokenFactory, subject: str
) -> None:
    result = _export(client, tokens.headers(SUBJECT, "mentee"), "self", ["sessions"]).json()
    assert "SESSION-NOTE" not in json.dumps(_payload(result["bundle"]))


def test_third_parties_appear_only_as_the_person_recorded_them(
    client: TestClient, tokens: TokenFactory, subject: str
) -> None:
    result = _export(client, tokens.headers(SUBJECT, "mentee"), "self").json()
    text = json.dumps(_payload(result["bundle"]))
    for marker in PRIVATE_MARKERS:
        assert marker not in text
    assert "mia@example.org" not in text  # the mentor's own email
    contact = next(
        c for c in _payload(result["bundle"])["rolodex"]["contacts"] if c["id"] == "ctc_person"
    )
    assert contact == {
        "id": "ctc_person",
        "kind": "person",
        "fn": "Fred F.",
        "n": {"family": "F.", "given": "Fred"},
        "categories": ["peer"],
        "note": "met at PyCon",
        "rev": contact["rev"],
    }


def test_item_ids_are_stable_across_exports(
    client: TestClient, tokens: TokenFactory, subject: str
) -> None:
    headers = tokens.headers(SUBJECT, "mentee")
    first = _payload(_export(client, headers, "self").json()["bundle"])["rolodex"]
    second = _payload(_export(client, headers, "self").json()["bundle"])["rolodex"]
    for scope in ("contacts", "mentorships", "sessions", "outcomes"):
        assert [item["id"] for item in first[scope]] == [item["id"] for item in second[scope]]


def test_partner_export_needs_an_active_grant(
    client: TestClient, tokens: TokenFactory, subject: str, acme: str
) -> None:
    refused = _export(client, tokens.partner(), "acme")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/consent-required")

    _grant(client, tokens, ["profile", "contacts"])
    shared = client.put(
        f"/v1/people/{SUBJECT}/preferences",
        json={"choices": {"share_contacts": True}},
        headers=tokens.headers(SUBJECT, "mentee"),
    )
    assert shared.status_code == 200, shared.text
    allowed = _export(client, tokens.partner(), "acme")
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["scopes"] == ["contacts", "profile"]
    assert set(_payload(allowed.json()["bundle"])["rolodex"]) == {
        "schema",
        "version",
        "scopes",
        "consent",
        "profile",
        "contacts",
    }

    beyond = _export(client, tokens.partner(), "acme", ["profile", "sessions"])
    assert beyond.status_code == 403
    assert "sessions" in beyond.json()["detail"]


def test_partners_export_only_for_themselves(
    client: TestClient, tokens: TokenFactory, subject: str, acme: str
) -> None:
    _grant(client, tokens, ["profile"])
    assert _export(client, tokens.partner("other"), "acme").status_code == 403
    assert _export(client, tokens.partner("other"), "other").status_code == 403
    assert _export(client, tokens.partner("acme", ("imports:write",)), "acme").status_code == 403


async def test_revoked_or_expired_consent_refuses_partner_exports(
    client: TestClient, tokens: TokenFactory, graph: Graph, subject: str, acme: str
) -> None:
    consent_id = _grant(client, tokens, ["profile"])
    assert _export(client, tokens.partner(), "acme").status_code == 201
    client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers(SUBJECT, "mentee"))
    assert _export(client, tokens.partner(), "acme").status_code == 403

    expiring = _grant(client, tokens, ["profile"])
    assert _export(client, tokens.partner(), "acme").status_code == 201
    await graph.query(
        "MATCH (c:Consent {id: $id}) SET c.expires_at = datetime() - duration('PT1S')",
        {"id": expiring},
        write=True,
    )
    assert _export(client, tokens.partner(), "acme").status_code == 403


async def test_exports_are_recorded_and_revocation_reaches_the_platform(
    client: TestClient, tokens: TokenFactory, graph: Graph, subject: str, acme: str
) -> None:
    client.patch(
        "/v1/admin/platforms/acme",
        json={"webhook_url": "http://127.0.0.1:9/hook"},
        headers=tokens.headers("root", "admin"),
    )
    consent_id = _grant(client, tokens, ["profile"])
    exported = _export(client, tokens.headers(SUBJECT, "mentee"), "acme").json()
    rows = await graph.query(
        "MATCH (e:Export {id: $id})-[:UNDER]->(c:Consent)-[:DELIVERED_TO]->(p:Platform) "
        "RETURN e.audience AS audience, e.actor AS actor, c.id AS consent, p.id AS platform",
        {"id": exported["bundle_id"]},
    )
    assert rows == [
        {"audience": "acme", "actor": SUBJECT, "consent": consent_id, "platform": "acme"}
    ]
    client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers(SUBJECT, "mentee"))
    queued = await graph.query(
        "MATCH (w:WebhookDelivery {consent_id: $id}) RETURN w.platform_id AS p", {"id": consent_id}
    )
    assert queued == [{"p": "acme"}]


def test_other_people_and_admins_cannot_export(
    client: TestClient, tokens: TokenFactory, subject: str
) -> None:
    assert _export(client, tokens.headers("per_other", "mentee"), "self").status_code == 404
    # Admins never export a person's bundle: their role may not (app/policy.py), so 403.
    assert _export(client, tokens.headers("root", "admin"), "self").status_code == 403
    assert (
        client.post(f"/v1/people/{SUBJECT}/bundles", json={"audience": "self"}).status_code == 401
    )


@pytest.mark.parametrize(
    "body",
    [
        {"audience": "self", "scopes": []},
        {"audience": "self", "scopes": ["everything"]},
        {"audience": "bad id"},
        {},
    ],
)
def test_bad_export_requests_are_422(
    client: TestClient, tokens: TokenFactory, subject: str, body: dict[str, Any]
) -> None:
    response = client.post(
        f"/v1/people/{SUBJECT}/bundles", json=body, headers=tokens.headers(SUBJECT, "mentee")
    )
    assert response.status_code == 422


def test_mentee_download_is_a_jose_file(
    client: TestClient, tokens: TokenFactory, subject: str
) -> None:
    response = client.get(
        "/v1/me/bundle?scopes=profile,outcomes", headers=tokens.headers(SUBJECT, "mentee")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jose"
    assert (
        response.headers["content-disposition"] == f'attachment; filename="rolodex-{SUBJECT}.jose"'
    )
    assert _payload(response.text)["rolodex"]["scopes"] == ["outcomes", "profile"]
    unknown = client.get(
        "/v1/me/bundle?scopes=profile,bogus", headers=tokens.headers(SUBJECT, "mentee")
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == (
        "Unknown scopes: bogus; the valid scopes are "
        "profile, contacts, mentorships, sessions, outcomes, preferences."
    )
    assert client.get("/v1/me/bundle", headers=tokens.headers("root", "admin")).status_code == 403


def _node_verify(
    bundle: str, jwks: dict[str, Any], audience: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "bundle.jose").write_text(bundle)
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    node = shutil.which("node")
    assert node, "Node.js is needed for the interop test"
    return subprocess.run(
        [
            node,
            str(JS_DIR / "verify-bundle.mjs"),
            str(tmp_path / "bundle.jose"),
            str(tmp_path / "jwks.json"),
            audience,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=JS_DIR,
        timeout=60,
    )


def test_bundle_verifies_with_npm_jose_and_one_changed_byte_fails_both(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    bundle = _export(client, tokens.headers(SUBJECT, "mentee"), "self").json()["bundle"]
    jwks = client.get("/.well-known/jwks.json").json()
    verified = _node_verify(bundle, jwks, "self", tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["payload"]["sub"] == SUBJECT

    header, payload, signature = bundle.split(".")
    index = len(payload) // 2
    flipped = payload[:index] + ("A" if payload[index] != "A" else "B") + payload[index + 1 :]
    tampered = f"{header}.{flipped}.{signature}"
    assert _node_verify(tampered, jwks, "self", tmp_path).returncode == 1
    with pytest.raises((JoseError, ValueError)):
        jwt.decode(tampered, KeySet.import_key_set(jwks), algorithms=["ES256"])


def test_old_bundles_still_verify_after_key_rotation(
    client: TestClient, tokens: TokenFactory, subject: str
) -> None:
    bundle = _export(client, tokens.headers(SUBJECT, "mentee"), "self").json()["bundle"]
    documents = client.app.state.keystore.documents  # type: ignore[attr-defined]
    old_kid = documents.active_kid
    documents.rotate(datetime.now(UTC), timedelta(days=30))
    fresh = _export(client, tokens.headers(SUBJECT, "mentee"), "self").json()["bundle"]
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    assert jwt.decode(bundle, key_set, algorithms=["ES256"]).header["kid"] == old_kid
    assert (
        jwt.decode(fresh, key_set, algorithms=["ES256"]).header["kid"]
        == documents.active_kid
        != old_kid
    )
