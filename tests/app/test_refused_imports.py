"""Refused imports are counted (app/refusals.py, graph/import_refusals.py): per quarter hour,
platform and problem type, with no personal data, in Neo4j so the count survives a restart; the
weekly metrics read it (`imports_rejected`, `rejections`)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.analytics.weeks import IsoWeek
from app.main import create_app
from app.settings import Settings
from graph.db import Graph
from graph.values import utc_now
from tests.conftest import TokenFactory
from tests.support import metrics_graph as mg
from tests.support.fake_partner import FakePartner


def _push(client: TestClient, bundle: str, headers: dict[str, str], **params: Any) -> int:
    response = client.post("/v1/imports", json={"bundle": bundle}, params=params, headers=headers)
    assert response.status_code >= 400, response.text
    return int(response.status_code)


async def _counters(graph: Graph) -> list[dict[str, Any]]:
    return await graph.query(
        "MATCH (r:ImportRefusals) RETURN r.platform_id AS platform_id, r.problem AS problem, "
        "r.count AS count, keys(r) AS keys ORDER BY platform_id, problem"
    )


def _this_week(client: TestClient, tokens: TokenFactory, **params: str) -> dict[str, Any]:
    week = str(IsoWeek.containing(utc_now().date()))
    response = client.get(
        "/v1/metrics/weekly",
        params={"from": week, "to": week, **params},
        headers=tokens.headers("root", "admin"),
    )
    assert response.status_code == 200, response.text
    portability: dict[str, Any] = response.json()["weeks"][0]["portability"]
    return portability


async def test_each_refusal_counts_once_for_its_platform_and_problem(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    assert _this_week(client, tokens)["imports_rejected"] == 0
    pusher = tokens.partner("acme", ["imports:write"])
    person = tokens.headers("per_me", "mentee")
    await graph.query(
        "CREATE (:Person {id: 'per_me', display_name: 'Me', roles: ['mentee'], "
        "created_at: datetime()})",
        write=True,
    )
    # The authenticated partner, whatever the bundle says.
    _push(client, partner.v2(audience="elsewhere", jti="bdl_1"), pusher)
    _push(client, partner.v2(audience="elsewhere", jti="bdl_2"), pusher)
    _push(client, "a.b.c", pusher)
    # A person: the registered issuer the bundle names, else `unknown`.
    _push(client, partner.v2(audience="elsewhere", jti="bdl_3"), person)
    _push(client, partner.v2(issuer="https://stranger.example", jti="bdl_4"), person)
    _push(client, "not a jws", person)
    # Refused dry runs are not imports.
    _push(client, partner.v2(audience="elsewhere", jti="bdl_5"), pusher, dry_run="true")

    rows = await _counters(graph)
    assert [(r["platform_id"], r["problem"], r["count"]) for r in rows] == [
        ("acme", "audience-mismatch", 3),
        ("acme", "bundle-malformed", 1),
        ("unknown", "bundle-malformed", 1),
        ("unknown", "issuer-untrusted", 1),
    ]
    # Nothing but the key, the quarter hour, the platform, the problem and the count.
    assert {frozenset(r["keys"]) for r in rows} == {
        frozenset({"key", "slot", "platform_id", "problem", "count"})
    }

    figures = _this_week(client, tokens)
    assert figures["imports_rejected"] == 6
    assert figures["rejections"] == [
        {"platform_id": "acme", "problem": "audience-mismatch", "count": 3},
        {"platform_id": "acme", "problem": "bundle-malformed", "count": 1},
        {"platform_id": "unknown", "problem": "bundle-malformed", "count": 1},
        {"platform_id": "unknown", "problem": "issuer-untrusted", "count": 1},
    ]
    # A refused bundle belongs to no program.
    await mg.program(graph, "prg_a", "coh_a")
    scoped = _this_week(client, tokens, program_id="prg_a")
    assert scoped["imports_rejected"] is None
    assert scoped["rejections"] is None


async def test_the_count_survives_a_restart(
    client: TestClient, tokens: TokenFactory, settings: Settings, partner: FakePartner
) -> None:
    _push(client, partner.v2(ttl=-60), tokens.partner("acme", ["imports:write"]))
    with TestClient(create_app(settings)) as restarted:
        figures = _this_week(restarted, TokenFactory(restarted, settings))
    assert figures["imports_rejected"] == 1
    assert figures["rejections"] == [
        {"platform_id": "acme", "problem": "bundle-expired", "count": 1}
    ]
