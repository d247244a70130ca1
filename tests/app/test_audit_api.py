"""The audit log (`GET /v1/admin/audit`): consent grants and revocations, exports and applied
imports, each written in the transaction of its change; refused imports write nothing; filters,
time range and cursor pagination; operator admins only; erasure anonymises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.db import Graph
from tests.builders import person
from tests.conftest import TokenFactory
from tests.http import ok, problem
from tests.support.fake_partner import FakePartner

AUDIT = "/v1/admin/audit"


def _events(client: TestClient, tokens: TokenFactory, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(
        client.get(AUDIT, params=params, headers=tokens.headers("root", "admin"))
    )["items"]
    return items


async def _story(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> str:
    """Sam grants consent to acme, acme exports, Sam revokes; acme pushes a bundle in."""
    sam: str = (await person(graph, "Sam"))["id"]
    mine = tokens.headers(sam, "mentee")
    grant = client.post(
        f"/v1/people/{sam}/consents",
        json={"audience": "acme", "scopes": ["profile"], "purpose": "share with Acme"},
        headers=mine,
    )
    consent_id = grant.json()["consent"]["id"]
    exported = client.post(
        f"/v1/people/{sam}/bundles",
        json={"audience": "acme"},
        headers=tokens.partner("acme", ["bundles:read"]),
    )
    assert exported.status_code == 201, exported.text
    assert client.delete(f"/v1/consents/{consent_id}", headers=mine).status_code == 200
    assert client.delete(f"/v1/consents/{consent_id}", headers=mine).status_code == 200  # again
    imported = client.post(
        "/v1/imports",
        json={"bundle": partner.v2()},
        headers=tokens.partner("acme", ["imports:write"]),
    )
    assert imported.status_code == 201, imported.text
    return sam


async def test_consent_export_and_import_events_are_recorded(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    sam = await _story(client, tokens, graph, partner)
    events = _events(client, tokens)
    assert [e["event"] for e in events] == [
        "consent.granted",
        "bundle.exported",
        "consent.revoked",  # once: revoking again changes nothing and records nothing
        "bundle.imported",
    ]
    granted, exported, revoked, imported = events
    assert granted["person_id"] == sam
    assert (granted["actor"], granted["actor_role"]) == (sam, "mentee")
    assert granted["audience"] == "acme"
    assert exported["consent_id"] == granted["consent_id"] == revoked["consent_id"]
    assert (exported["actor"], exported["actor_role"]) == ("client_acme", "partner")
    assert exported["bundle_id"].startswith("bdl_")
    assert exported["outcome"] == "exported"
    assert imported["outcome"] == "applied"
    assert imported["bundle_id"] == "bdl_1"
    assert imported["actor_role"] == "partner"
    assert all(e["problem_type"] is None for e in events)


async def test_filters_time_range_and_pagination(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    sam = await _story(client, tokens, graph, partner)
    assert [e["event"] for e in _events(client, tokens, event="consent.revoked")] == [
        "consent.revoked"
    ]
    assert {e["person_id"] for e in _events(client, tokens, person_id=sam)} == {sam}
    assert len(_events(client, tokens, person_id=sam)) == 3
    everything = _events(client, tokens)
    middle = everything[1]["at"]
    assert _events(client, tokens, **{"from": middle}) == everything[1:]
    assert _events(client, tokens, to=middle) == everything[:1]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert _events(client, tokens, **{"from": future}) == []
    pages, cursor = [], None
    while True:
        page = ok(
            client.get(
                AUDIT,
                params={"limit": 1, **({"cursor": cursor} if cursor else {})},
                headers=tokens.headers("root", "admin"),
            )
        )
        pages += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == everything


@pytest.mark.parametrize(
    "params",
    [{"from": "2030-01-01T00:00:00"}, {"to": "12345"}, {"event": "login"}, {"person_id": "a b"}],
)
def test_bad_filters_are_refused(
    client: TestClient, tokens: TokenFactory, params: dict[str, str]
) -> None:
    problem(client.get(AUDIT, params=params, headers=tokens.headers("root", "admin")), 422)


def test_only_operator_admins_read_the_audit_log(client: TestClient, tokens: TokenFactory) -> None:
    assert problem(client.get(AUDIT), 401)
    for headers in (
        tokens.headers("per_sam", "mentee"),
        tokens.headers("per_mia", "mentor"),
        tokens.headers("prog_admin", "admin", programs=["prg_one"]),
        tokens.partner("acme", ["bundles:read", "imports:write", "consents:read"]),
    ):
        assert problem(client.get(AUDIT, headers=headers), 403)


async def test_a_refused_import_writes_no_audit_event(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    pusher = tokens.partner("acme", ["imports:write"])
    before = await graph.query(
        "MATCH (n) WHERE NOT n:RateCounter AND NOT n:ImportRefusals RETURN count(n) AS n"
    )
    for bundle in (partner.v2(audience="elsewhere"), partner.v2(ttl=-60), "a.b.c"):
        response = client.post("/v1/imports", json={"bundle": bundle}, headers=pusher)
        assert response.status_code >= 400
    assert (
        await graph.query(
            "MATCH (n) WHERE NOT n:RateCounter AND NOT n:ImportRefusals RETURN count(n) AS n"
        )
        == before
    )
    assert _events(client, tokens) == []


async def test_erasure_anonymises_the_persons_events(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    sam = await _story(client, tokens, graph, partner)
    extra = client.post(
        f"/v1/people/{sam}/consents",
        json={"audience": "acme", "scopes": ["profile"], "purpose": "again"},
        headers=tokens.headers(sam, "mentee"),
    )
    assert extra.status_code == 201
    erased = client.delete(f"/v1/people/{sam}", headers=tokens.headers(sam, "mentee"))
    assert erased.status_code == 204
    events = _events(client, tokens)
    assert sam not in str(events)
    assert _events(client, tokens, person_id=sam) == []
    last = events[-1]
    assert (last["event"], last["outcome"], last["actor_role"]) == (
        "consent.revoked",
        "revoked-by-erasure",
        "system",
    )
