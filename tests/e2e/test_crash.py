"""Crash safety: `kill -9` Neo4j, or the API process, in the middle of an import, restart, and find
the import entirely present or entirely absent — staged items never visible through the API —
then run it again to exactly the right counts.

Runs on a Neo4j of its own (`ROLODEX_TEST_NEO4J_PORT + 2`, its own home), never the suite's.

Scenarios:
- Neo4j killed while a large import stages its items (its own transactions, `StagedContact`);
- Neo4j killed inside the one big UNWIND transaction of a bulk merge (seen in SHOW TRANSACTIONS);
- the API process killed (SIGKILL) while staging; its restart sweeps the orphaned staged items;
- the API process killed inside the bulk merge transaction.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from app.localneo4j.server import LocalNeo4j
from tests.conftest import EXTERNAL_URI, TEST_NEO4J_PASSWORD
from tests.support.fake_partner import FakePartner
from tests.support.live import LiveServer, count, dedicated_neo4j, start_server, wipe

pytestmark = [
    pytest.mark.neo4j,  # starts the suite's Neo4j (or one of its own) in a subprocess
    pytest.mark.skipif(bool(EXTERNAL_URI), reason="kills and restarts a local Neo4j of its own"),
]

STAGED_CONTACTS = 4_500  # three staging batches (2 000, 2 000, 500) with single_tx_items = 100
BULK_CONTACTS = 6_000  # one transaction (single_tx_items above it)
SCENARIOS = [
    ("staging", STAGED_CONTACTS, 100),
    ("bulk-transaction", BULK_CONTACTS, BULK_CONTACTS + 1),
]


@pytest.fixture(scope="module")
def crash_neo4j() -> Iterator[LocalNeo4j]:
    server = dedicated_neo4j(2, "neo4j-test-crash")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def partner() -> Iterator[FakePartner]:
    fake = FakePartner("acme")
    yield fake
    fake.close()


@dataclass
class Attempt:
    """An import request running in a thread, so the test can kill something meanwhile."""

    response: httpx.Response | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


def _push(server: LiveServer, bundle: str, attempt: Attempt) -> None:
    try:
        attempt.response = httpx.post(
            f"{server.url}/v1/imports",
            headers=server.partner("acme", ["imports:write"]),
            json={"bundle": bundle},
            timeout=180,
        )
    except BaseException as error:  # the server may die under it: that is the point
        attempt.error = error
    finally:
        attempt.done.set()


def _start_push(server: LiveServer, bundle: str) -> Attempt:
    attempt = Attempt()
    threading.Thread(target=_push, args=(server, bundle, attempt), daemon=True).start()
    return attempt


def _wait_for(condition: Callable[[], bool], attempt: Attempt, what: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (ServiceUnavailable, SessionExpired, Neo4jError):
            pass
        if attempt.done.is_set():
            raise AssertionError(f"the import finished before {what}: {attempt.response}")
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _staging_started(driver: Driver) -> Callable[[], bool]:
    def started() -> bool:
        records, _, _ = driver.execute_query("MATCH (s:StagedContact) RETURN count(s) AS n")
        return int(records[0]["n"]) > 0

    return started


def _bulk_write_running(driver: Driver) -> Callable[[], bool]:
    def running() -> bool:
        records, _, _ = driver.execute_query(
            "SHOW TRANSACTIONS YIELD currentQuery "
            "WHERE currentQuery CONTAINS 'CREATE (p)-[:HAS_CONTACT' RETURN count(*) AS n"
        )
        return int(records[0]["n"]) > 0

    return running


def _under_way(driver: Driver, scenario: str) -> Callable[[], bool]:
    return _staging_started(driver) if scenario == "staging" else _bulk_write_running(driver)


def _driver(uri: str) -> Driver:
    return GraphDatabase.driver(uri, auth=("neo4j", TEST_NEO4J_PASSWORD))


def _kill_neo4j(server: LocalNeo4j) -> None:
    pid = server.status().pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while (server.status().running or _listening(server.port)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server.status().running
    assert not _listening(server.port)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _api_count(server: LiveServer, person_id: str) -> int:
    """Contacts of the person as the API shows them (404: the person is not there at all)."""
    headers = server.headers(person_id, "mentee")
    seen: set[str] = set()
    cursor: str | None = None
    with httpx.Client(base_url=server.url, timeout=60) as http:
        while True:
            params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            response = http.get(f"/v1/people/{person_id}/contacts", headers=headers, params=params)
            if response.status_code == 404:
                return 0
            assert response.status_code == 200, response.text
            page = response.json()
            ids = [item["id"] for item in page["items"]]
            assert not seen & set(ids), "a contact listed twice"
            seen.update(ids)
            cursor = page["next_cursor"]
            if cursor is None:
                return len(seen)


@dataclass
class Outcome:
    contacts: int
    imports: int


def _outcome(uri: str, jti: str) -> Outcome:
    return Outcome(
        contacts=count(uri, "MATCH (c:Contact {source_bundle: $b}) RETURN count(c)", b=jti),
        imports=count(uri, "MATCH (i:Import {bundle_id: $b}) RETURN count(i)", b=jti),
    )


def _assert_all_or_nothing(server: LiveServer, uri: str, jti: str, expected: int) -> Outcome:
    outcome = _outcome(uri, jti)
    assert (outcome.contacts, outcome.imports) in ((0, 0), (expected, 1)), outcome
    person_id = _person_id(uri)
    shown = _api_count(server, person_id) if person_id else 0
    assert shown == outcome.contacts, "the API shows other than what was committed"
    return outcome


def _person_id(uri: str) -> str | None:
    with GraphDatabase.driver(uri, auth=("neo4j", TEST_NEO4J_PASSWORD)) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (p:Person) WHERE p.source_issuer IS NOT NULL RETURN p.id AS id"
        )
        return str(records[0]["id"]) if records else None


def _rerun_to_correct_counts(server: LiveServer, uri: str, bundle: str, jti: str, n: int) -> None:
    before = _outcome(uri, jti)
    response = httpx.post(
        f"{server.url}/v1/imports",
        headers=server.partner("acme", ["imports:write"]),
        json={"bundle": bundle},
        timeout=180,
    )
    if before.imports:
        assert response.status_code == 409, response.text  # it did commit: a replay now
    else:
        assert response.status_code == 201, response.text
        assert response.json()["created"]["contacts"] == n
    after = _outcome(uri, jti)
    assert (after.contacts, after.imports) == (n, 1)
    person_id = _person_id(uri)
    assert person_id is not None
    assert _api_count(server, person_id) == n
    assert count(uri, "MATCH (c:Contact) RETURN count(c)") == n


def _server(
    crash_neo4j: LocalNeo4j, tmp_path: Path, partner: FakePartner, single_tx_items: int
) -> LiveServer:
    wipe(crash_neo4j.uri)
    server = start_server(
        "rolodex",
        crash_neo4j.uri,
        tmp_path,
        {
            "ROLODEX_IMPORT_SINGLE_TX_ITEMS": str(single_tx_items),
            "ROLODEX_WEBHOOK_WORKER_ENABLED": "false",
            "ROLODEX_NEO4J_CONNECT_ATTEMPTS": "30",
        },
    )
    response = httpx.post(
        f"{server.url}/v1/admin/platforms",
        headers=server.admin(),
        json=partner.registration(),
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return server


@pytest.mark.parametrize(("scenario", "contacts", "single_tx_items"), SCENARIOS)
def test_neo4j_killed_mid_import(
    crash_neo4j: LocalNeo4j,
    tmp_path: Path,
    partner: FakePartner,
    scenario: str,
    contacts: int,
    single_tx_items: int,
) -> None:
    server = _server(crash_neo4j, tmp_path, partner, single_tx_items)
    uri = crash_neo4j.uri
    jti = f"bdl_{scenario}"
    bundle = partner.v2(jti=jti, contacts=contacts)
    try:
        attempt = _start_push(server, bundle)
        with _driver(uri) as driver:
            _wait_for(_under_way(driver, scenario), attempt, "the write was under way")
            _kill_neo4j(crash_neo4j)
        crash_neo4j.start()
        assert attempt.done.wait(180), "the request never finished"
        if attempt.response is not None:  # acknowledged only if it really committed
            assert attempt.response.status_code in (201, 503), attempt.response.text
        outcome = _assert_all_or_nothing(server, uri, jti, contacts)
        if attempt.response is not None and attempt.response.status_code == 201:
            assert outcome.imports == 1
        _rerun_to_correct_counts(server, uri, bundle, jti, contacts)
    finally:
        server.stop()


@pytest.mark.parametrize(("scenario", "contacts", "single_tx_items"), SCENARIOS)
def test_api_killed_mid_import(
    crash_neo4j: LocalNeo4j,
    tmp_path: Path,
    partner: FakePartner,
    scenario: str,
    contacts: int,
    single_tx_items: int,
) -> None:
    server = _server(crash_neo4j, tmp_path, partner, single_tx_items)
    uri = crash_neo4j.uri
    jti = f"bdl_api_{scenario}"
    bundle = partner.v2(jti=jti, contacts=contacts)
    attempt = _start_push(server, bundle)
    with _driver(uri) as driver:
        try:
            _wait_for(_under_way(driver, scenario), attempt, "the write was under way")
        finally:
            server.kill()
        assert attempt.done.wait(60)
        assert attempt.response is None, "a killed server cannot have acknowledged the import"
        # Neo4j rolls back the transaction of the dropped connection; staged batches stay behind.
        deadline = time.monotonic() + 30
        while _bulk_write_running(driver)() and time.monotonic() < deadline:
            time.sleep(0.1)
    outcome = _outcome(uri, jti)
    assert (outcome.contacts, outcome.imports) == (0, 0)
    restarted = start_server(
        "rolodex",
        uri,
        tmp_path,
        {
            "ROLODEX_IMPORT_SINGLE_TX_ITEMS": str(single_tx_items),
            "ROLODEX_WEBHOOK_WORKER_ENABLED": "false",
            "ROLODEX_IMPORT_STAGING_TTL_SECONDS": "0",  # sweep what the dead process staged
        },
        keys_dir=server.keys_dir,
        port=int(server.url.rsplit(":", 1)[1]),
    )
    try:
        assert count(uri, "MATCH (s:StagedContact) RETURN count(s)") == 0
        _assert_all_or_nothing(restarted, uri, jti, contacts)
        _rerun_to_correct_counts(restarted, uri, bundle, jti, contacts)
    finally:
        restarted.stop()
