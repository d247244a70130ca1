"""The outbound policy as the API applies it: registration refuses URLs the service must never
call, and webhook answers that trickle or never end are cut, not read."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.consents import record_recipient
from graph.db import Graph
from tests.conftest import TokenFactory
from tests.support.bad_partner import HUGE_BYTES, BadPartner

ISSUE_URLS = [
    "https://169.254.169.254/latest/meta-data/iam",
    "https://10.0.0.5/jwks.json",
    "https://[fd00::5]/jwks.json",
    "https://127.0.0.1:7687/",
    "https://localhost:22/",
]


def _platform(**fields: str) -> dict[str, str]:
    return {
        "id": "acme",
        "name": "Acme",
        "issuer": "https://acme.example",
        "jwks_url": "https://acme.example/jwks.json",
        **fields,
    }


@pytest.mark.parametrize("url", ISSUE_URLS)
def test_registration_refuses_internal_addresses(settings: Settings, url: str) -> None:
    production_like = settings.model_copy(update={"outbound_allow_loopback": False})
    with TestClient(create_app(production_like)) as client:
        admin = TokenFactory(client, production_like).headers("root", "admin")
        for field in ("jwks_url", "webhook_url", "issuer"):
            response = client.post(
                "/v1/admin/platforms", json=_platform(**{field: url}), headers=admin
            )
            assert response.status_code == 422, (field, response.text)
            assert response.headers["content-type"] == "application/problem+json"


def test_an_issuer_without_a_host_is_refused(client: TestClient, tokens: TokenFactory) -> None:
    admin = tokens.headers("root", "admin")
    for issuer in ("https:", "https://", "acme.example", "/relative"):
        response = client.post("/v1/admin/platforms", json=_platform(issuer=issuer), headers=admin)
        assert response.status_code == 422, (issuer, response.text)
    created = client.post("/v1/admin/platforms", json=_platform(), headers=admin)
    assert created.status_code == 201
    patched = client.patch("/v1/admin/platforms/acme", json={"issuer": "https:"}, headers=admin)
    assert patched.status_code == 422


@pytest.fixture
def bad() -> Iterator[BadPartner]:
    server = BadPartner()
    yield server
    server.close()


async def _deliver_once(settings: Settings, graph: Graph, webhook_url: str) -> dict[str, object]:
    await graph.query("CREATE (:Person {id: 'per_alice', created_at: datetime()})", write=True)
    quiet = settings.model_copy(
        update={"webhook_worker_enabled": False, "webhook_timeout_seconds": 1.0}
    )
    with TestClient(create_app(quiet)) as client:
        tokens = TokenFactory(client, quiet)
        admin = tokens.headers("root", "admin")
        registered = client.post(
            "/v1/admin/platforms", json=_platform(webhook_url=webhook_url), headers=admin
        )
        assert registered.status_code == 201, registered.text
        granted = client.post(
            "/v1/people/per_alice/consents",
            json={"audience": "acme", "scopes": ["profile"], "purpose": "share"},
            headers=tokens.headers("per_alice", "mentee"),
        )
        consent_id = granted.json()["consent"]["id"]
        await record_recipient(graph, consent_id, "acme", datetime.now(UTC))
        client.delete(f"/v1/consents/{consent_id}", headers=tokens.headers("per_alice", "mentee"))
        worker = client.app.state.webhook_worker  # type: ignore[attr-defined]
        attempted = client.portal.call(worker.deliver_due)  # type: ignore[union-attr]
        assert attempted == 1
        items = client.get("/v1/admin/webhook-deliveries", headers=admin).json()["items"]
    await asyncio.sleep(0)
    delivery: dict[str, object] = items[0]
    return delivery


async def test_a_webhook_answer_of_24_mib_is_not_read(
    settings: Settings, graph: Graph, bad: BadPartner
) -> None:
    delivery = await _deliver_once(settings, graph, bad.url("/huge"))
    assert delivery["status"] == "pending"  # retried later, like any failed attempt
    assert delivery["last_error"] == "too-large"
    assert bad.huge_bytes_sent < HUGE_BYTES


async def test_a_trickling_webhook_answer_is_cut_at_the_deadline(
    settings: Settings, graph: Graph, bad: BadPartner
) -> None:
    delivery = await _deliver_once(settings, graph, bad.url("/trickle"))
    assert delivery["last_error"] == "deadline"
