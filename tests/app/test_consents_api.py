"""Consent grants and receipts, revocation and the public status check, over HTTP against Neo4j."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet

from graph.db import Graph
from tests.conftest import TokenFactory

ALICE, BOB = "per_alice", "per_bob"


@pytest.fixture
async def people(graph: Graph) -> None:
    await graph.query(
        "UNWIND $ids AS id CREATE (:Person {id: id, display_name: id, created_at: datetime()})",
        {"ids": [ALICE, BOB]},
        write=True,
    )


def _grant(
    client: TestClient, tokens: TokenFactory, person: str = ALICE, **body: object
) -> dict[str, object]:
    payload = {
        "audience": "acme",
        "scopes": ["profile", "contacts"],
        "purpose": "Carry my profile to Acme",
        **body,
    }
    response = client.post(
        f"/v1/people/{person}/consents", json=payload, headers=tokens.headers(person, "mentee")
    )
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_grant_returns_the_consent_and_a_receipt_that_verifies_independently(
    client: TestClient, tokens: TokenFactory, people: None, acme: str
) -> None:
    result = _grant(client, tokens)
    consent = result["consent"]
    assert isinstance(consent, dict)
    assert consent["status"] == "active"
    assert consent["scopes"] == ["contacts", "profile"]
    assert consent["status_url"].endswith(f"/v1/consents/{consent['id']}/status")

    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    decoded = jwt.decode(str(result["receipt"]), key_set, algorithms=["ES256"])
    assert decoded.header["typ"] == "rolodex-consent-receipt+jwt"
    assert decoded.header["kid"].startswith("documents-")
    receipt = decoded.claims["receipt"]
    # the person as the audience knows them: their pairwise id for acme, never the local id
    assert decoded.claims["sub"].startswith("psn_")
    assert decoded.claims["sub"] == receipt["principal"]["id"]
    assert decoded.claims["aud"] == "acme"
    assert receipt["consent_id"] == consent["id"]
    assert receipt["receipt_id"] == consent["receipt_id"] == decoded.claims["jti"]
    for field in (
        "timestamp",
        "collection_method",
        "principal",
        "controller",
        "purposes",
        "scopes",
        "third_party_audience",
        "policy",
        "expiry",
        "status_url",
    ):
        assert field in receipt
    assert receipt["purposes"] == ["Carry my profile to Acme"]


def test_a_receipt_is_not_an_access_token(
    client: TestClient, tokens: TokenFactory, people: None, acme: str
) -> None:
    receipt = _grant(client, tokens)["receipt"]
    response = client.get(
        f"/v1/people/{ALICE}/consents", headers={"Authorization": f"Bearer {receipt}"}
    )
    assert response.status_code == 401
    assert response.json()["reason"] == "type-mismatch"


def test_only_the_person_grants(
    client: TestClient, tokens: TokenFactory, people: None, acme: str
) -> None:
    body = {"audience": "acme", "scopes": ["profile"], "purpose": "sharing"}
    assert (
        client.post(
            f"/v1/people/{ALICE}/consents", json=body, headers=tokens.headers(BOB, "mentee")
        ).status_code
        == 404
    )
    assert client.post(f"/v1/people/{ALICE}/consents", json=body).status_code == 401
    admin = tokens.headers("root", "admin")
    assert client.post(f"/v1/people/{ALICE}/consents", json=body, headers=admin).status_code == 403
    recorded = client.post(
        f"/v1/people/{ALICE}/consents",
        json={
            **body,
            "collection_method": "admin-recorded",
            "evidence": "paper form 2026-114, signed",
        },
        headers=admin,
    )
    assert recorded.status_code == 201
    assert recorded.json()["consent"]["collection_method"] == "admin-recorded"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"audience": "nowhere", "scopes": ["profile"], "purpose": "x" * 5}, 422),
        ({"audience": "acme", "scopes": [], "purpose": "sharing"}, 422),
        ({"audience": "acme", "scopes": ["everything"], "purpose": "sharing"}, 422),
        ({"audience": "acme", "scopes": ["profile", "profile"], "purpose": "sharing"}, 422),
        (
            {
                "audience": "acme",
                "scopes": ["profile"],
                "purpose": "sharing",
                "expires_at": "2020-01-01T00:00:00Z",
            },
            422,
        ),
        (
            {
                "audience": "acme",
                "scopes": ["profile"],
                "purpose": "sharing",
                "expires_at": "2030-01-01T00:00:00",
            },
            422,
        ),
        ({"audience": "acme", "scopes": ["profile"], "purpose": "sharing", "extra": 1}, 422),
        (
            {
                "audience": "acme",
                "scopes": ["profile"],
                "purpose": "sharing",
                "collection_method": "admin-recorded",
            },
            422,
        ),
    ],
)
async def test_bad_grants_are_refused_and_write_nothing(
    client: TestClient,
    tokens: TokenFactory,
    graph: Graph,
    people: None,
    acme: str,
    body: dict[str, object],
    status: int,
) -> None:
    response = client.post(
        f"/v1/people/{ALICE}/consents", json=body, headers=tokens.headers(ALICE, "mentee")
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    rows = await graph.query("MATCH (c:Consent) RETURN count(c) AS n")
    assert rows[0]["n"] == 0


def test_self_audience_needs_no_platform(
    client: TestClient, tokens: TokenFactory, people: None
) -> None:
    assert _grant(client, tokens, audience="self")["consent"]["audience"] == "self"  # type: ignore[index]


def test_unknown_person_is_404(client: TestClient, tokens: TokenFactory, acme: str) -> None:
    body = {"audience": "acme", "scopes": ["profile"], "purpose": "sharing"}
    response = client.post(
        "/v1/people/per_ghost/consents", json=body, headers=tokens.headers("per_ghost", "mentee")
    )
    assert response.status_code == 404


def test_revocation_is_immediate_idempotent_and_public(
    client: TestClient, tokens: TokenFactory, people: None, acme: str
) -> None:
    consent_id = _grant(client, tokens)["consent"]["id"]  # type: ignore[index]
    status = client.get(f"/v1/consents/{consent_id}/status")
    assert status.status_code == 200
    assert status.json()["status"] == "active"

    assert (
        client.delete(
            f"/v1/consents/{consent_id}", headers=tokens.headers(BOB, "mentee")
        ).status_code
        == 404
    )
    first = client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers(ALICE, "mentee"))
    second = client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers(ALICE, "mentee"))
    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "revoked"
    assert first.json()["revoked_at"] == second.json()["revoked_at"]

    public = client.get(f"/v1/consents/{consent_id}/status").json()
    assert public["status"] == "revoked"
    assert datetime.fromisoformat(public["since"]) == datetime.fromisoformat(
        first.json()["revoked_at"]
    )
    assert set(public) == {"consent_id", "status", "since", "checked_at"}
    assert client.get("/v1/consents/cns_nope/status").status_code == 404


async def test_expiry_is_honoured(
    client: TestClient, tokens: TokenFactory, graph: Graph, people: None, acme: str
) -> None:
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    consent_id = _grant(client, tokens, expires_at=expires)["consent"]["id"]  # type: ignore[index]
    await graph.query(
        "MATCH (c:Consent {id: $id}) SET c.expires_at = datetime() - duration('PT1M')",
        {"id": consent_id},
        write=True,
    )
    assert client.get(f"/v1/consents/{consent_id}/status").json()["status"] == "expired"
    listed = client.get(
        f"/v1/people/{ALICE}/consents", headers=tokens.headers(ALICE, "mentee")
    ).json()
    assert [c["status"] for c in listed["items"]] == ["expired"]


def test_partners_see_only_grants_to_their_platform(
    client: TestClient, tokens: TokenFactory, people: None, acme: str
) -> None:
    _grant(client, tokens)
    _grant(client, tokens, audience="self")

    def partner(platform: str, scopes: list[str]) -> dict[str, str]:
        return tokens.partner(platform, scopes)

    seen = client.get(
        f"/v1/people/{ALICE}/consents", headers=partner("acme", ["consents:read"])
    ).json()["items"]
    assert [c["audience"] for c in seen] == ["acme"]
    assert (
        client.get(
            f"/v1/consents/{seen[0]['id']}", headers=partner("acme", ["consents:read"])
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/v1/consents/{seen[0]['id']}", headers=partner("other", ["consents:read"])
        ).status_code
        == 404
    )
    # Without the consents:read scope the policy refuses before anything is read.
    assert (
        client.get(
            f"/v1/people/{ALICE}/consents", headers=partner("acme", ["bundles:read"])
        ).status_code
        == 403
    )


def test_listing_pages_with_a_cursor(
    client: TestClient, tokens: TokenFactory, people: None, acme: str
) -> None:
    ids = {_grant(client, tokens)["consent"]["id"] for _ in range(5)}  # type: ignore[index]
    headers = tokens.headers(ALICE, "mentee")
    first = client.get(f"/v1/people/{ALICE}/consents?limit=2", headers=headers).json()
    assert len(first["items"]) == 2
    seen = [c["id"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(
            f"/v1/people/{ALICE}/consents", params={"limit": 2, "cursor": cursor}, headers=headers
        ).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(ids)
    assert client.get(f"/v1/people/{ALICE}/consents?limit=0", headers=headers).status_code == 422
    assert (
        len(client.get(f"/v1/people/{ALICE}/consents?limit=201", headers=headers).json()["items"])
        == 5
    )  # clamped to 200
    assert (
        client.get(f"/v1/people/{ALICE}/consents?cursor=garbage", headers=headers).status_code
        == 422
    )


async def test_erasure_revokes_grants_notifies_recipients_and_keeps_an_anonymous_status(
    client: TestClient, tokens: TokenFactory, graph: Graph, people: None, acme: str
) -> None:
    client.patch(
        "/v1/admin/platforms/acme",
        json={"webhook_url": "http://127.0.0.1:9/hook"},
        headers=tokens.headers("root", "admin"),
    )
    consent_id = _grant(client, tokens)["consent"]["id"]  # type: ignore[index]
    from datetime import UTC, datetime

    from graph.consents import record_recipient

    await record_recipient(graph, consent_id, "acme", datetime.now(UTC))
    assert (
        client.delete(f"/v1/people/{ALICE}", headers=tokens.headers(ALICE, "mentee")).status_code
        == 204
    )

    status = client.get(f"/v1/consents/{consent_id}/status").json()
    assert status["status"] == "revoked"
    rows = await graph.query(
        "MATCH (c:Consent {id: $id}) OPTIONAL MATCH (w:WebhookDelivery {consent_id: $id}) "
        "RETURN c.receipt AS receipt, c.purpose AS purpose, collect(w.platform_id) AS notified",
        {"id": consent_id},
    )
    assert rows == [{"receipt": None, "purpose": "(erased)", "notified": ["acme"]}]
    assert (
        client.get(
            f"/v1/consents/{consent_id}", headers=tokens.headers(ALICE, "mentee")
        ).status_code
        == 404
    )
