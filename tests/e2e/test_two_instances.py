"""Two API processes on one Neo4j, as behind a load balancer: one public URL, one key folder,
separate ports. Each webhook is delivered once while both run; a key rotated through one is
served and honoured by the other; rate limits are shared; an import pushed to both at once is
applied once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from jose import jws as jose_jws

from app.settings import Settings
from auth.principals import Role
from graph.consents import record_recipient
from graph.db import Graph
from tests.support.fake_partner import FakePartner
from tests.support.http_receiver import HttpReceiver
from tests.support.live_server import ROOT, LiveServer, free_port, live_server

pytestmark = pytest.mark.neo4j  # runs the service and Neo4j for real

PEOPLE = 12
ADDRESS_BURST = 4


@pytest.fixture(scope="module")
def pair(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer]]:
    shared = tmp_path_factory.mktemp("instances")
    public_url = f"http://127.0.0.1:{free_port()}"  # the load balancer's address
    environment = {
        "ROLODEX_WEBHOOK_WORKER_ENABLED": "true",
        "ROLODEX_WEBHOOK_POLL_SECONDS": "0.1",
        "ROLODEX_RATE_LIMIT_TOKEN_PER_ADDRESS_PER_MINUTE": "1",
        "ROLODEX_RATE_LIMIT_TOKEN_PER_ADDRESS_BURST": str(ADDRESS_BURST),
    }
    with ExitStack() as stack:
        first, second = (
            stack.enter_context(
                live_server(
                    settings,
                    shared / name,
                    public_url=public_url,
                    keys_dir=shared / "keys",
                    environment=environment,
                )
            )
            for name in ("a", "b")
        )
        yield first, second


def _admin(server: LiveServer) -> dict[str, str]:
    return server.headers("root", Role.ADMIN)


def _register(server: LiveServer, registration: dict[str, Any]) -> None:
    response = httpx.post(
        f"{server.base_url}/v1/admin/platforms", json=registration, headers=_admin(server)
    )
    assert response.status_code == 201, response.text


async def test_each_webhook_is_delivered_once_while_both_run(
    pair: tuple[LiveServer, LiveServer], graph: Graph
) -> None:
    receiver = HttpReceiver(statuses=[200])
    try:
        _register(
            pair[0],
            {
                "id": "acme",
                "name": "Acme",
                "issuer": "https://acme.example",
                "jwks_url": "https://acme.example/jwks.json",
                "webhook_url": receiver.url,
            },
        )
        consents: list[tuple[str, str]] = []
        http = httpx.AsyncClient(timeout=30)
        for n in range(PEOPLE):
            person = f"per_twin{n}"
            await graph.query(
                "CREATE (:Person {id: $id, created_at: datetime()})", {"id": person}, write=True
            )
            server = pair[n % 2]
            granted = await http.post(
                f"{server.base_url}/v1/people/{person}/consents",
                json={"audience": "acme", "scopes": ["profile"], "purpose": "share"},
                headers=server.headers(person, Role.MENTEE),
            )
            assert granted.status_code == 201, granted.text
            consent_id = granted.json()["consent"]["id"]
            await record_recipient(graph, consent_id, "acme", datetime.now(UTC))
            consents.append((person, consent_id))
        for n, (person, consent_id) in enumerate(consents):
            server = pair[(n + 1) % 2]
            revoked = await http.delete(
                f"{server.base_url}/v1/consents/{consent_id}",
                headers=server.headers(person, Role.MENTEE),
            )
            assert revoked.status_code in (200, 204), revoked.text
        await http.aclose()
        receiver.wait_for(PEOPLE, timeout=30)
        receiver.wait_for(PEOPLE + 1, timeout=3)  # time for a duplicate to show up
    finally:
        receiver.close()
    ids = [
        json.loads(jose_jws.get_unverified_claims(r.body.decode()))["jti"]
        for r in receiver.received
    ]
    assert len(ids) == PEOPLE, sorted(ids)
    assert len(set(ids)) == PEOPLE
    rows = await graph.query(
        "MATCH (d:WebhookDelivery) RETURN d.status AS status, d.attempts AS attempts"
    )
    assert [(row["status"], row["attempts"]) for row in rows] == [("delivered", 1)] * PEOPLE


def test_a_key_rotated_through_one_is_served_and_honoured_by_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    first, second = pair
    before = {
        key["kid"] for key in httpx.get(f"{second.base_url}/.well-known/jwks.json").json()["keys"]
    }
    rotated = subprocess.run(
        [sys.executable, "-m", "app.cli", "keys", "rotate", "--ring", "access"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")},
            "ROLODEX_KEYS_DIR": str(first.settings.keys_dir),
            "ROLODEX_ENVIRONMENT": "test",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert rotated.returncode == 0, rotated.stderr
    after = {
        key["kid"] for key in httpx.get(f"{second.base_url}/.well-known/jwks.json").json()["keys"]
    }
    assert after > before  # the new key is published, the old one kept for its grace
    (new_kid,) = after - before
    token = first.token("root", Role.ADMIN)  # signed with the ring on disk: the new active key
    assert jose_jws.get_unverified_header(token)["kid"] == new_kid
    token_headers = {"Authorization": f"Bearer {token}"}
    for server in pair:
        answer = httpx.get(f"{server.base_url}/v1/admin/platforms", headers=token_headers)
        assert answer.status_code == 200, answer.text


def test_rate_limits_are_shared(pair: tuple[LiveServer, LiveServer]) -> None:
    codes = [
        httpx.post(
            f"{pair[n % 2].base_url}/oauth/token",
            data={"grant_type": "client_credentials", "client_id": f"c{n}", "client_secret": "x"},
        ).status_code
        for n in range(ADDRESS_BURST + 2)
    ]
    assert codes == [401] * ADDRESS_BURST + [429, 429]


async def test_an_import_pushed_to_both_at_once_is_applied_once(
    pair: tuple[LiveServer, LiveServer], graph: Graph
) -> None:
    partner = FakePartner("acme")
    try:
        _register(pair[0], partner.registration())
        bundle = partner.v2(contacts=5)

        def push(server: LiveServer) -> httpx.Response:
            return httpx.post(
                f"{server.base_url}/v1/imports",
                json={"bundle": bundle},
                headers=server.headers(
                    "client_acme", Role.PARTNER, scopes=("imports:write",), platform_id="acme"
                ),
                timeout=60,
            )

        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(push, [pair[0], pair[1]] * 2))
    finally:
        partner.close()
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201, 409, 409, 409], [a.text for a in answers]
    imports = await graph.query("MATCH (i:Import) RETURN count(i) AS n")
    assert imports[0]["n"] == 1
    contacts = await graph.query("MATCH (c:Contact) RETURN count(c) AS n")
    assert contacts[0]["n"] == 5
