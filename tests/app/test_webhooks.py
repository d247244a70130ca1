"""Revocation reaches partners: signed notifications through the Neo4j outbox, retried, restart-safe.

The receiver is a real HTTP server on a loopback port, not a mocked transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet

from app.main import create_app
from app.settings import Settings
from app.webhooks import backoff
from graph.consents import record_recipient
from graph.db import Graph
from portability.documents import CONSENT_REVOKED_EVENT
from tests.conftest import TokenFactory
from tests.support.http_receiver import HttpReceiver

ALICE = "per_alice"


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server = HttpReceiver(statuses=[200])
    yield server
    server.close()


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"webhook_poll_seconds": 0.1, "webhook_backoff_base_seconds": 0.0}
    )


async def _setup(graph: Graph) -> None:
    await graph.query(
        "CREATE (:Person {id: $id, created_at: datetime()})", {"id": ALICE}, write=True
    )


def _register(client: TestClient, tokens: TokenFactory, webhook_url: str) -> None:
    response = client.post(
        "/v1/admin/platforms",
        json={
            "id": "acme",
            "name": "Acme",
            "issuer": "https://acme.example",
            "jwks_url": "https://acme.example/jwks.json",
            "webhook_url": webhook_url,
        },
        headers=tokens.headers("root", "admin"),
    )
    assert response.status_code == 201, response.text


def _grant(client: TestClient, tokens: TokenFactory) -> str:
    response = client.post(
        f"/v1/people/{ALICE}/consents",
        json={"audience": "acme", "scopes": ["profile"], "purpose": "share with Acme"},
        headers=tokens.headers(ALICE, "mentee"),
    )
    assert response.status_code == 201, response.text
    consent_id: str = response.json()["consent"]["id"]
    return consent_id


def _deliveries(client: TestClient, tokens: TokenFactory) -> list[dict[str, object]]:
    items: list[dict[str, object]] = client.get(
        "/v1/admin/webhook-deliveries", headers=tokens.headers("root", "admin")
    ).json()["items"]
    return items


async def _settled(client: TestClient, tokens: TokenFactory) -> list[dict[str, object]]:
    """The deliveries once none is pending: the worker records an answer just after the
    receiver saw the request, so reading at once can still find it pending."""
    for _ in range(200):
        deliveries = _deliveries(client, tokens)
        if deliveries and all(d["status"] != "pending" for d in deliveries):
            break
        await asyncio.sleep(0.05)
    return deliveries


async def test_revocation_notifies_each_recipient_with_a_verifiable_event(
    fast_settings: Settings, graph: Graph, receiver: HttpReceiver
) -> None:
    await _setup(graph)
    with TestClient(create_app(fast_settings)) as client:
        tokens = TokenFactory(client, fast_settings)
        _register(client, tokens, f"{receiver.url}/hooks/rolodex")
        consent_id = _grant(client, tokens)
        await record_recipient(graph, consent_id, "acme", datetime.now(UTC))
        assert (
            client.delete(
                f"/v1/consents/{consent_id}", headers=tokens.headers(ALICE, "mentee")
            ).status_code
            == 200
        )
        received = receiver.wait_for(1)
        jwks = client.get("/.well-known/jwks.json").json()
        deliveries = await _settled(client, tokens)

    assert len(received) == 1
    request = received[0]
    assert request.method == "POST"
    assert request.path == "/hooks/rolodex"
    assert request.headers["Content-Type"] == "application/secevent+jwt"
    decoded = jwt.decode(request.body.decode(), KeySet.import_key_set(jwks), algorithms=["ES256"])
    assert decoded.header["typ"] == "secevent+jwt"
    assert decoded.claims["aud"] == "acme"
    event = decoded.claims["events"][CONSENT_REVOKED_EVENT]
    assert event["consent_id"] == consent_id
    assert event["status"] == "revoked"
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("delivered", 1)]


async def test_a_platform_that_received_nothing_is_not_notified(
    fast_settings: Settings, graph: Graph, receiver: HttpReceiver
) -> None:
    await _setup(graph)
    with TestClient(create_app(fast_settings)) as client:
        tokens = TokenFactory(client, fast_settings)
        _register(client, tokens, receiver.url)
        consent_id = _grant(client, tokens)
        client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers(ALICE, "mentee"))
        assert _deliveries(client, tokens) == []
    assert receiver.received == []


async def test_a_failing_receiver_is_retried_until_it_accepts(
    fast_settings: Settings, graph: Graph
) -> None:
    receiver = HttpReceiver(statuses=[500, 503, 200])
    try:
        await _setup(graph)
        with TestClient(create_app(fast_settings)) as client:
            tokens = TokenFactory(client, fast_settings)
            _register(client, tokens, receiver.url)
            consent_id = _grant(client, tokens)
            await record_recipient(graph, consent_id, "acme", datetime.now(UTC))
            client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers(ALICE, "mentee"))
            received = receiver.wait_for(3)
            delivery = (await _settled(client, tokens))[0]
            jwks = client.get("/.well-known/jwks.json").json()
    finally:
        receiver.close()
    assert len(received) == 3
    jtis = {
        jwt.decode(r.body.decode(), KeySet.import_key_set(jwks), algorithms=["ES256"]).claims["jti"]
        for r in received
    }
    assert jtis == {delivery["id"]}  # the same delivery, re-sent
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 3
    assert delivery["last_status_code"] == 200


async def test_queued_deliveries_survive_a_restart(
    fast_settings: Settings, graph: Graph, receiver: HttpReceiver
) -> None:
    await _setup(graph)
    stopped_worker = fast_settings.model_copy(update={"webhook_worker_enabled": False})
    with TestClient(create_app(stopped_worker)) as client:
        tokens = TokenFactory(client, stopped_worker)
        _register(client, tokens, receiver.url)
        consent_id = _grant(client, tokens)
        await record_recipient(graph, consent_id, "acme", datetime.now(UTC))
        client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers(ALICE, "mentee"))
        assert [d["status"] for d in _deliveries(client, tokens)] == ["pending"]
    assert receiver.received == []

    # A new process (fresh app, worker on) finds the queued delivery in Neo4j and sends it.
    with TestClient(create_app(fast_settings)):
        received = receiver.wait_for(1)
    assert len(received) == 1


async def test_delivery_gives_up_after_the_last_attempt(
    fast_settings: Settings, graph: Graph
) -> None:
    receiver = HttpReceiver(statuses=[500])
    limited = fast_settings.model_copy(update={"webhook_max_attempts": 2})
    try:
        await _setup(graph)
        with TestClient(create_app(limited)) as client:
            tokens = TokenFactory(client, limited)
            _register(client, tokens, receiver.url)
            consent_id = _grant(client, tokens)
            await record_recipient(graph, consent_id, "acme", datetime.now(UTC))
            client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers(ALICE, "mentee"))
            receiver.wait_for(2)
            await asyncio.sleep(0.5)
            delivery = _deliveries(client, tokens)[0]
    finally:
        receiver.close()
    assert len(receiver.received) == 2
    assert delivery["status"] == "failed"
    assert delivery["last_error"] == "HTTP 500"


def test_backoff_doubles_and_is_capped() -> None:
    delays = [backoff(n, 10, 100).total_seconds() for n in range(1, 7)]
    assert delays == [10, 20, 40, 80, 100, 100]
    assert backoff(1, 10, 100) == timedelta(seconds=10)
