"""`GET /metrics`: who may read it, and that it reports what operators watch — request latency by
route template, Neo4j transaction timings, exports and imports by outcome (import problem types
as labels), and the webhook outbox depth and failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from app.main import create_app
from app.settings import Settings
from graph.db import Graph
from tests.builders import person
from tests.conftest import TokenFactory
from tests.http import problem
from tests.support.fake_partner import FakePartner

SCRAPE_TOKEN = "scrape-token-for-tests-0123456789"


def _samples(
    client: TestClient, headers: dict[str, str]
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


@pytest.fixture
def scraped(settings: Settings) -> Iterator[TestClient]:
    with TestClient(
        create_app(settings.model_copy(update={"metrics_token": SecretStr(SCRAPE_TOKEN)}))
    ) as client:
        yield client


def test_metrics_need_an_admin_or_the_scrape_token(scraped: TestClient) -> None:
    tokens = TokenFactory(scraped, scraped.app.state.settings)  # type: ignore[attr-defined]
    assert problem(scraped.get("/metrics"), 401)
    assert problem(scraped.get("/metrics", headers={"Authorization": "Bearer wrong"}), 401)
    for headers in (tokens.headers("per_sam", "mentee"), tokens.partner("acme")):
        assert problem(scraped.get("/metrics", headers=headers), 403)
    assert scraped.get("/metrics", headers=tokens.headers("root", "admin")).status_code == 200
    scrape = scraped.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
    assert scrape.status_code == 200
    assert "rolodex_http_request_duration_seconds" in scrape.text


def test_metrics_can_be_switched_off(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"metrics_enabled": False}))) as client:
        tokens = TokenFactory(client, settings)
        assert problem(client.get("/metrics", headers=tokens.headers("root", "admin")), 404)


async def test_latency_is_labelled_by_route_template_and_neo4j_work_is_timed(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    admin = tokens.headers("root", "admin")
    sam = await person(graph, "Sam")
    before = _samples(client, admin)
    client.get(f"/v1/people/{sam['id']}", headers=admin)
    client.get("/no/such/path/abc123")
    after = _samples(client, admin)
    name = "rolodex_http_request_duration_seconds_count"
    route = {"route": "/v1/people/{person_id}", "method": "GET", "status": "200"}
    assert _value(after, name, **route) == _value(before, name, **route) + 1
    assert _value(after, name, route="unmatched") >= _value(before, name, route="unmatched") + 1
    assert not any("abc123" in str(labels) or sam["id"] in str(labels) for _, labels in after)
    tx = "rolodex_neo4j_transaction_duration_seconds_count"
    assert _value(after, tx, outcome="ok") > _value(before, tx, outcome="ok")


async def test_imports_and_exports_are_counted_by_outcome(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    admin = tokens.headers("root", "admin")
    sam = await person(graph, "Sam")
    partner = FakePartner("acme")
    try:
        client.post("/v1/admin/platforms", json=partner.registration(), headers=admin)
        before = _samples(client, admin)
        pusher = tokens.partner("acme", ["imports:write"])
        assert (
            client.post("/v1/imports", json={"bundle": partner.v2()}, headers=pusher).status_code
            == 201
        )
        replay = client.post("/v1/imports", json={"bundle": partner.v2()}, headers=pusher)
        assert replay.status_code == 409
        expired = client.post(
            "/v1/imports", json={"bundle": partner.v2(jti="bdl_old", ttl=-60)}, headers=pusher
        )
        assert expired.status_code == 422
    finally:
        partner.close()
    exported = client.post(
        f"/v1/people/{sam['id']}/bundles",
        json={"audience": "self", "scopes": ["profile"]},
        headers=tokens.headers(sam["id"], "mentee"),
    )
    assert exported.status_code == 201
    refused = client.post(
        f"/v1/people/{sam['id']}/bundles",
        json={"audience": "acme"},
        headers=tokens.headers(sam["id"], "mentee"),
    )
    assert refused.status_code == 403
    after = _samples(client, admin)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    imports = "rolodex_bundle_imports_total"
    assert delta(imports, outcome="applied") == 1
    assert delta(imports, outcome="rejected", problem_type="bundle-replayed") == 1
    assert delta(imports, outcome="rejected", problem_type="bundle-expired") == 1
    exports = "rolodex_bundle_exports_total"
    assert delta(exports, outcome="exported", audience="self") == 1
    assert delta(exports, outcome="consent_required", audience="platform") == 1


async def test_outbox_depth_and_webhook_failures(settings: Settings, graph: Graph) -> None:
    await graph.query(
        "UNWIND [['whd_a', 'pending'], ['whd_b', 'pending'], ['whd_c', 'failed'], ['whd_d', 'delivered']] AS d "
        "CREATE (:WebhookDelivery {id: d[0], status: d[1], event: 'consent.revoked', consent_id: 'cns_x', "
        "platform_id: 'acme', url: 'http://127.0.0.1:9/hook', attempts: 0, created_at: $now, "
        "next_attempt_at: $now + duration({hours: 1})})",
        {"now": datetime.now(UTC)},
        write=True,
    )
    fast = settings.model_copy(update={"webhook_worker_enabled": False})
    with TestClient(create_app(fast)) as client:
        admin = TokenFactory(client, fast).headers("root", "admin")
        samples = _samples(client, admin)
        assert _value(samples, "rolodex_webhook_outbox_depth", status="pending") == 2
        assert _value(samples, "rolodex_webhook_outbox_depth", status="failed") == 1
        failures = "rolodex_webhook_delivery_attempts_total"
        before = _value(samples, failures, outcome="retrying")
        await graph.query(
            "MATCH (d:WebhookDelivery {id: 'whd_a'}) SET d.next_attempt_at = $now",
            {"now": datetime.now(UTC)},
            write=True,
        )
        worker = client.app.state.webhook_worker  # type: ignore[attr-defined]
        # port 9 (discard) refuses the connection; the worker runs on the app's own loop
        assert client.portal.call(worker.deliver_due) == 1  # type: ignore[union-attr]
        assert _value(_samples(client, admin), failures, outcome="retrying") == before + 1
