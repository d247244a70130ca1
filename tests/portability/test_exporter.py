"""What a platform's bundle carries: pairwise pseudonymous ids (stable for one audience, different
for every other, never a local id), and exactly the sections that are both consented and allowed
by the person's effective preferences for that audience."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.security_setup import issuer_context
from app.settings import Settings
from auth.keys import KeyStore, load_keystore
from graph import consents, exports
from graph.db import Graph
from portability import exporter
from portability.errors import ConsentRequiredError
from portability.exporter import ExportResult, export_bundle
from tests.conftest import TokenFactory
from tests.support.person_graph import FRIEND, MENTOR, SUBJECT, build_person_graph

ALL = ["contacts", "mentorships", "outcomes", "profile", "sessions"]


def _claims(bundle: str) -> dict[str, Any]:
    segment = bundle.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded


def _register(client: TestClient, tokens: TokenFactory, platform_id: str) -> None:
    response = client.post(
        "/v1/admin/platforms",
        json={
            "id": platform_id,
            "name": platform_id.title(),
            "issuer": f"https://{platform_id}.example",
            "jwks_url": f"https://{platform_id}.example/jwks.json",
        },
        headers=tokens.headers("root", "admin"),
    )
    assert response.status_code == 201, response.text


def _share(client: TestClient, tokens: TokenFactory, audience: str, scopes: list[str]) -> None:
    response = client.post(
        f"/v1/people/{SUBJECT}/consents",
        json={"audience": audience, "scopes": scopes, "purpose": "share with the platform"},
        headers=tokens.headers(SUBJECT, "mentee"),
    )
    assert response.status_code == 201, response.text


def _set_choices(client: TestClient, tokens: TokenFactory, body: dict[str, Any]) -> None:
    response = client.put(
        f"/v1/people/{SUBJECT}/preferences", json=body, headers=tokens.headers(SUBJECT, "mentee")
    )
    assert response.status_code == 200, response.text


def _export(client: TestClient, tokens: TokenFactory, audience: str) -> dict[str, Any]:
    response = client.post(
        f"/v1/people/{SUBJECT}/bundles",
        json={"audience": audience},
        headers=tokens.headers(SUBJECT, "mentee"),
    )
    assert response.status_code == 201, response.text
    return _claims(response.json()["bundle"])


def _person_ids(claims: dict[str, Any]) -> list[str]:
    body = claims["rolodex"]
    return [
        claims["sub"],
        body["profile"]["id"],
        *[m["counterpart_id"] for m in body["mentorships"]],
        *[c["id"] for c in body["contacts"] if c["kind"] == "person"],
    ]


async def test_partners_see_pairwise_pseudonymous_ids(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await build_person_graph(graph)
    for platform in ("acme", "globex"):
        _register(client, tokens, platform)
        _share(client, tokens, platform, ALL)
    _set_choices(client, tokens, {"choices": {"share_contacts": True, "share_outcomes": True}})
    acme, acme_again, globex = (
        _export(client, tokens, "acme"),
        _export(client, tokens, "acme"),
        _export(client, tokens, "globex"),
    )
    mine = _export(client, tokens, "self")
    at_acme, at_globex = _person_ids(acme), _person_ids(globex)
    assert len(at_acme) == 4
    assert at_acme == _person_ids(acme_again)  # stable for one audience
    assert not set(at_acme) & set(at_globex)  # different for another
    local = {SUBJECT, MENTOR, FRIEND, "ctc_person"}
    assert not (set(at_acme) | set(at_globex)) & local  # never a local id
    assert not any(local_id in json.dumps(acme) for local_id in (SUBJECT, MENTOR, FRIEND))
    # the receipt the partner verifies names the person by the same pseudonym
    receipt = _claims(acme["rolodex"]["consent"]["receipt"])
    assert receipt["sub"] == acme["sub"]
    # the person's own download keeps their real ids
    assert mine["sub"] == SUBJECT
    # and they map back here, for that audience only
    rows = await graph.query(
        "MATCH (x:Pseudonym {id: $id}) RETURN x.audience AS audience, x.local_id AS local",
        {"id": acme["sub"]},
    )
    assert rows == [{"audience": "acme", "local": SUBJECT}]


async def test_an_export_carries_only_sections_the_preferences_allow(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await build_person_graph(graph)
    _register(client, tokens, "acme")
    _share(client, tokens, "acme", ALL)
    # the narrow defaults: no contacts, no outcomes for any platform
    effective = client.get(
        f"/v1/people/{SUBJECT}/preferences/effective",
        params={"audience": "acme"},
        headers=tokens.headers(SUBJECT, "mentee"),
    ).json()["values"]
    assert effective["share_contacts"]["value"] is False
    body = _export(client, tokens, "acme")["rolodex"]
    assert body["scopes"] == ["mentorships", "profile", "sessions"]
    assert "contacts" not in body
    assert "outcomes" not in body

    # shared in general, but not with acme: still withheld from acme
    _set_choices(
        client,
        tokens,
        {
            "choices": {"share_contacts": True, "share_outcomes": True},
            "overrides": {"acme": {"share_contacts": False}},
        },
    )
    body = _export(client, tokens, "acme")["rolodex"]
    assert body["scopes"] == ["mentorships", "outcomes", "profile", "sessions"]
    assert "contacts" not in body
    assert len(body["outcomes"]) == 1

    # asking for it explicitly does not get it either
    response = client.post(
        f"/v1/people/{SUBJECT}/bundles",
        json={"audience": "acme", "scopes": ["contacts", "profile"]},
        headers=tokens.partner("acme", ("bundles:read",)),
    )
    assert response.status_code == 201, response.text
    assert response.json()["scopes"] == ["profile"]
    assert "contacts" not in _claims(response.json()["bundle"])["rolodex"]

    # the person's own download is never narrowed by their sharing choices
    assert "contacts" in _export(client, tokens, "self")["rolodex"]


# -- one transaction per export: the record and its audit event exactly once, or nothing --------


async def _self_export(graph: Graph, keys: KeyStore, settings: Settings) -> ExportResult:
    return await export_bundle(
        graph,
        keys,
        issuer_context(settings),
        person_id=SUBJECT,
        audience="self",
        scopes=None,
        actor=SUBJECT,
        actor_role="mentee",
    )


async def _written(graph: Graph) -> dict[str, Any]:
    rows = await graph.query(
        "MATCH (p:Person {id: $id}) RETURN "
        "COLLECT { MATCH (e:Export)-[:OF]->(p) RETURN e.id } AS exports, "
        "COLLECT { MATCH (a:AuditEvent {event: 'bundle.exported', person_id: $id}) "
        "RETURN a.bundle_id } AS events, "
        "COLLECT { MATCH (p)-[:GRANTED]->(c:Consent {audience: 'self'}) RETURN c.id } AS grants",
        {"id": SUBJECT},
    )
    return rows[0]


async def test_each_export_writes_its_record_and_audit_event_once_in_one_transaction(
    graph: Graph, settings: Settings, tmp_path: Any
) -> None:
    await build_person_graph(graph)
    keys = load_keystore(tmp_path, generate=True)
    first = await _self_export(graph, keys, settings)  # also makes the self grant
    units: list[str] = []
    graph.observer = lambda kind, _seconds, _ok: units.append(kind)
    try:
        second = await _self_export(graph, keys, settings)
    finally:
        graph.observer = None
    assert units == ["write"]  # grant, slice, record and audit event: one unit of work
    written = await _written(graph)
    assert sorted(written["exports"]) == sorted([first.bundle_id, second.bundle_id])
    assert sorted(written["events"]) == sorted([first.bundle_id, second.bundle_id])
    assert len(written["grants"]) == 1  # the first export's grant covers the second


async def test_a_consent_revoked_while_the_bundle_is_made_writes_nothing(
    graph: Graph, settings: Settings, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await build_person_graph(graph)
    keys = load_keystore(tmp_path, generate=True)
    await _self_export(graph, keys, settings)
    before = await _written(graph)
    record = exports.record_export

    async def revoked_meanwhile(tx: Any, export: Any, handed_out: Any = None) -> None:
        await consents.revoke_consent(graph, export.consent_id, export.at)  # another transaction
        await record(tx, export, handed_out)

    monkeypatch.setattr(exports, "record_export", revoked_meanwhile)
    with pytest.raises(ConsentRequiredError):
        await _self_export(graph, keys, settings)
    after = await _written(graph)
    assert after["exports"] == before["exports"]
    assert after["events"] == before["events"]


async def test_a_failure_after_reading_writes_no_record_and_no_event(
    graph: Graph, settings: Settings, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await build_person_graph(graph)
    keys = load_keystore(tmp_path, generate=True)
    await _self_export(graph, keys, settings)
    before = await _written(graph)

    def broken(*_args: Any) -> str:
        raise RuntimeError("the signer failed")

    monkeypatch.setattr(exporter, "sign_document", broken)
    with pytest.raises(RuntimeError):
        await _self_export(graph, keys, settings)
    assert await _written(graph) == before
