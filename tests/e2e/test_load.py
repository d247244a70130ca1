"""Load without loss: concurrent writers (contacts, sessions, consents with revocations, imports)
and readers against a real uvicorn on loopback for a bounded time (`ROLODEX_LOAD_SECONDS`,
default 20 s). Afterwards every acknowledged write is present exactly once, nothing
unacknowledged is half-present, every change has exactly one audit event where it should, and
no response was a 5xx.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.db import Graph
from graph.mentorships import MentorshipStatus
from tests.builders import cohort, mentor, mentorship, person
from tests.support.fake_partner import FakePartner
from tests.support.live import LiveServer, start_server

pytestmark = pytest.mark.neo4j  # runs the service and Neo4j for real

LOAD_SECONDS = float(os.environ.get("ROLODEX_LOAD_SECONDS", "20"))
CONTACT_WRITERS = 3
SESSION_WRITERS = 2
CONSENT_WRITERS = 2
IMPORT_WRITERS = 1
READERS = 4
IMPORTED_CONTACTS = 3


@dataclass
class Ledger:
    """What the clients saw: acknowledged writes, unacknowledged attempts, every status."""

    statuses: Counter[int] = field(default_factory=Counter)
    contacts: dict[str, str] = field(default_factory=dict)  # name → id, acknowledged
    contacts_unacked: set[str] = field(default_factory=set)
    sessions: dict[str, str] = field(default_factory=dict)  # id → mentorship id
    sessions_unacked: set[str] = field(default_factory=set)  # scheduled_at sent
    consents: set[str] = field(default_factory=set)
    consents_unacked: set[str] = field(default_factory=set)  # purposes sent
    revoked: set[str] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)  # jti
    imports_unacked: set[str] = field(default_factory=set)
    reads: int = 0
    failures: list[str] = field(default_factory=list)

    def writes(self) -> int:
        return (
            len(self.contacts)
            + len(self.sessions)
            + len(self.consents)
            + len(self.revoked)
            + len(self.imports)
        )


@pytest.fixture
def server(neo4j_uri: str, tmp_path: Path, clean_graph: None) -> Iterator[LiveServer]:
    live = start_server(
        "rolodex",
        neo4j_uri,
        tmp_path,
        {
            "ROLODEX_RATE_LIMIT_EXPORT_PER_MINUTE": "1000000",
            "ROLODEX_RATE_LIMIT_IMPORT_PER_MINUTE": "1000000",
            "ROLODEX_RATE_LIMIT_BURST": "1000000",
            "ROLODEX_WEBHOOK_WORKER_ENABLED": "false",
        },
    )
    yield live
    live.stop()


async def _call(
    ledger: Ledger, send: Callable[[], Awaitable[httpx.Response]]
) -> httpx.Response | None:
    try:
        response = await send()
    except httpx.HTTPError as error:
        ledger.failures.append(type(error).__name__)
        return None
    ledger.statuses[response.status_code] += 1
    if response.status_code >= 500:
        ledger.failures.append(f"{response.status_code} {response.request.url.path}")
    return response


async def _until(deadline: float, step: Callable[[int], Awaitable[None]]) -> None:
    n = 0
    while time.monotonic() < deadline:
        await step(n)
        n += 1


async def test_concurrent_writers_and_readers_lose_nothing(
    server: LiveServer, graph: Graph
) -> None:
    await _load(server, graph)


async def _load(server: LiveServer, graph: Graph) -> None:
    partner = FakePartner("acme")
    admin = server.admin()
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        registered = await http.post(
            "/v1/admin/platforms", json=partner.registration(), headers=admin
        )
        assert registered.status_code == 201, registered.text
        seeded = await _seed(http, server, graph)
        ledger = Ledger()
        deadline = time.monotonic() + LOAD_SECONDS
        tasks = [
            *(
                _contact_writer(http, server, ledger, seeded["owners"][i], i, deadline)
                for i in range(CONTACT_WRITERS)
            ),
            *(
                _session_writer(http, server, ledger, seeded["pairs"][i], i, deadline)
                for i in range(SESSION_WRITERS)
            ),
            *(
                _consent_writer(http, server, ledger, seeded["owners"][i], i, deadline)
                for i in range(CONSENT_WRITERS)
            ),
            *(
                _import_writer(http, server, ledger, partner, i, deadline)
                for i in range(IMPORT_WRITERS)
            ),
            *(_reader(http, server, ledger, seeded, i, deadline) for i in range(READERS)),
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            partner.close()
        await _verify(http, server, ledger, seeded)
    report = {
        "seconds": LOAD_SECONDS,
        "writes_acknowledged": ledger.writes(),
        "writes_verified": ledger.writes(),
        "unacknowledged_attempts": len(ledger.contacts_unacked)
        + len(ledger.sessions_unacked)
        + len(ledger.consents_unacked)
        + len(ledger.imports_unacked),
        "reads": ledger.reads,
        "statuses": dict(sorted(ledger.statuses.items())),
    }
    print("load:", json.dumps(report))
    _write_report(report)


def _write_report(report: dict[str, Any]) -> None:
    """Kept in var/ (git-ignored) for the closing counts."""
    Path("var").mkdir(exist_ok=True)
    Path("var/load-report.json").write_text(json.dumps(report, indent=2))


async def _seed(http: httpx.AsyncClient, server: LiveServer, graph: Graph) -> dict[str, Any]:
    owners = []
    for i in range(max(CONTACT_WRITERS, CONSENT_WRITERS)):
        subject = f"per_load_{i}"
        created = await http.post(
            "/v1/people",
            json={"display_name": f"Owner {i}", "roles": ["mentee"], "discoverable": True},
            headers=server.headers(subject, "mentee"),
        )
        assert created.status_code == 201, created.text
        owners.append(subject)
    pairs = []
    for i in range(SESSION_WRITERS):
        their_mentor = await mentor(graph, f"Mentor {i}")
        mentee = await person(graph, f"Mentee {i}")
        active = await mentorship(
            graph,
            their_mentor["id"],
            mentee["id"],
            (await cohort(graph))["id"],
            status=MentorshipStatus.ACTIVE,
        )
        pairs.append({"mentor": their_mentor["id"], "mentorship": active["id"]})
    return {"owners": owners, "pairs": pairs}


async def _contact_writer(
    http: httpx.AsyncClient, server: LiveServer, ledger: Ledger, owner: str, i: int, deadline: float
) -> None:
    headers = server.headers(owner, "mentee")

    async def step(n: int) -> None:
        name = f"load-{i}-{n}"
        response = await _call(
            ledger,
            lambda: http.post(f"/v1/people/{owner}/contacts", json={"name": name}, headers=headers),
        )
        if response is not None and response.status_code == 201:
            ledger.contacts[name] = response.json()["id"]
        else:
            ledger.contacts_unacked.add(name)

    await _until(deadline, step)


async def _session_writer(
    http: httpx.AsyncClient,
    server: LiveServer,
    ledger: Ledger,
    pair: dict[str, str],
    i: int,
    deadline: float,
) -> None:
    headers = server.headers(pair["mentor"], "mentor")
    start = datetime(2031, 1, 1, tzinfo=UTC) + timedelta(days=400 * i)

    async def step(n: int) -> None:
        at = (start + timedelta(minutes=n)).isoformat()
        response = await _call(
            ledger,
            lambda: http.post(
                f"/v1/mentorships/{pair['mentorship']}/sessions",
                json={"scheduled_at": at},
                headers=headers,
            ),
        )
        if response is not None and response.status_code == 201:
            ledger.sessions[response.json()["id"]] = pair["mentorship"]
        else:
            ledger.sessions_unacked.add(at)

    await _until(deadline, step)


async def _consent_writer(
    http: httpx.AsyncClient, server: LiveServer, ledger: Ledger, owner: str, i: int, deadline: float
) -> None:
    headers = server.headers(owner, "mentee")

    async def step(n: int) -> None:
        purpose = f"load consent {i}-{n}"
        response = await _call(
            ledger,
            lambda: http.post(
                f"/v1/people/{owner}/consents",
                json={"audience": "acme", "scopes": ["profile"], "purpose": purpose},
                headers=headers,
            ),
        )
        if response is None or response.status_code != 201:
            ledger.consents_unacked.add(purpose)
            return
        consent_id = response.json()["consent"]["id"]
        ledger.consents.add(consent_id)
        if n % 2 == 0:  # revoke every other grant at once
            revoked = await _call(
                ledger, lambda: http.delete(f"/v1/consents/{consent_id}", headers=headers)
            )
            if revoked is not None and revoked.status_code == 200:
                ledger.revoked.add(consent_id)

    await _until(deadline, step)


async def _import_writer(
    http: httpx.AsyncClient,
    server: LiveServer,
    ledger: Ledger,
    partner: FakePartner,
    i: int,
    deadline: float,
) -> None:
    headers = server.partner("acme", ["imports:write"])

    async def step(n: int) -> None:
        jti = f"bdl_load_{i}_{n}"
        subject = f"ext-load-{i}-{n}"
        body = partner.body_v2(
            subject=subject,
            audience="rolodex",
            scopes=["profile", "contacts"],
            contacts=IMPORTED_CONTACTS,
            consent_id=f"cns_{jti}",
        )
        for contact in body["contacts"]:
            contact["id"] = f"{jti}-{contact['id']}"  # items are identified by origin id
        bundle = partner.bundle(body, subject=subject, audience="rolodex", jti=jti)
        response = await _call(
            ledger, lambda: http.post("/v1/imports", json={"bundle": bundle}, headers=headers)
        )
        if response is not None and response.status_code == 201:
            ledger.imports.add(jti)
        else:
            ledger.imports_unacked.add(jti)

    await _until(deadline, step)


async def _reader(
    http: httpx.AsyncClient,
    server: LiveServer,
    ledger: Ledger,
    seeded: dict[str, Any],
    i: int,
    deadline: float,
) -> None:
    owner = seeded["owners"][i % len(seeded["owners"])]
    mine = server.headers(owner, "mentee")
    admin = server.admin()
    paths = [
        (f"/v1/people/{owner}/contacts", mine),
        (f"/v1/people/{owner}/network", mine),
        (f"/v1/people/{owner}/consents", mine),
        ("/v1/people", admin),
        ("/v1/admin/audit", admin),
    ]

    async def step(n: int) -> None:
        path, headers = paths[n % len(paths)]
        response = await _call(ledger, lambda: http.get(path, headers=headers))
        if response is not None and response.status_code == 200:
            ledger.reads += 1

    await _until(deadline, step)


async def _verify(
    http: httpx.AsyncClient, server: LiveServer, ledger: Ledger, seeded: dict[str, Any]
) -> None:
    assert not ledger.failures, ledger.failures[:20]
    assert not [status for status in ledger.statuses if status >= 500]
    assert ledger.writes() > 0
    # Contacts: each acknowledged one exactly once, attached to its owner (also through the API).
    rows = server_rows(
        server,
        "MATCH (c:Contact) WHERE c.name STARTS WITH 'load-' "
        "OPTIONAL MATCH (o:Person)-[:HAS_CONTACT]->(c) RETURN c.name AS name, c.id AS id, count(o) AS owners",
    )
    names = Counter(row["name"] for row in rows)
    assert all(names[name] == 1 for name in ledger.contacts), (
        "an acknowledged contact is missing or doubled"
    )
    assert all(row["owners"] == 1 for row in rows), "a contact without its owner edge"
    assert set(names) <= set(ledger.contacts) | ledger.contacts_unacked
    for owner in seeded["owners"][:CONTACT_WRITERS]:
        listed = await _all_items(
            http, f"/v1/people/{owner}/contacts", server.headers(owner, "mentee")
        )
        mine = {
            ledger.contacts[n]
            for n in ledger.contacts
            if n.startswith(f"load-{seeded['owners'].index(owner)}-")
        }
        assert mine <= {item["id"] for item in listed}
        assert len(listed) == len({item["id"] for item in listed})
    # Sessions: each acknowledged one once, under its mentorship.
    for session_id, mentorship_id in ledger.sessions.items():
        assert (
            server.count(
                "MATCH (:Mentorship {id: $m})-[:HAS_SESSION]->(s:Session {id: $s}) RETURN count(s)",
                m=mentorship_id,
                s=session_id,
            )
            == 1
        )
    # Consents: each acknowledged grant once, with exactly one grant event; revocations stamped
    # with exactly one revocation event; no event without its grant.
    events = server_rows(
        server,
        "MATCH (a:AuditEvent) WHERE a.event IN ['consent.granted', 'consent.revoked'] "
        "RETURN a.event AS event, a.consent_id AS consent_id",
    )
    granted = Counter(e["consent_id"] for e in events if e["event"] == "consent.granted")
    revoked = Counter(e["consent_id"] for e in events if e["event"] == "consent.revoked")
    for consent_id in ledger.consents:
        assert server.count("MATCH (c:Consent {id: $id}) RETURN count(c)", id=consent_id) == 1
        assert granted[consent_id] == 1
    for consent_id in ledger.revoked:
        assert (
            server.count(
                "MATCH (c:Consent {id: $id}) WHERE c.revoked_at IS NOT NULL RETURN count(c)",
                id=consent_id,
            )
            == 1
        )
        assert revoked[consent_id] == 1
    assert set(revoked) <= set(granted)
    assert server.count("MATCH (c:Consent) RETURN count(c)") == len(granted)
    # Imports: each acknowledged bundle once, whole; an unacknowledged one whole or absent.
    for jti in ledger.imports | ledger.imports_unacked:
        imported = server.count("MATCH (i:Import {bundle_id: $b}) RETURN count(i)", b=jti)
        contacts = server.count("MATCH (c:Contact {source_bundle: $b}) RETURN count(c)", b=jti)
        if jti in ledger.imports:
            assert (imported, contacts) == (1, IMPORTED_CONTACTS), jti
        else:
            assert (imported, contacts) in ((0, 0), (1, IMPORTED_CONTACTS)), jti
    assert server.count("MATCH (s:StagedContact|StagedRecord) RETURN count(s)") == 0


def server_rows(server: LiveServer, cypher: str) -> list[dict[str, Any]]:
    from neo4j import GraphDatabase

    from tests.conftest import TEST_NEO4J_PASSWORD

    with GraphDatabase.driver(server.neo4j_uri, auth=("neo4j", TEST_NEO4J_PASSWORD)) as driver:
        records, _, _ = driver.execute_query(cypher)
        return [record.data() for record in records]


async def _all_items(
    http: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await http.get(path, params=params, headers=headers)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
