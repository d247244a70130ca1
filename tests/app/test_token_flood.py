"""POST /oauth/token under a flood: limited per client id, per source address and in all, the
limits shared through Neo4j by every app instance, and the Argon2 check off the event loop."""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from auth import secrets as client_secrets
from auth.secrets import SecretVerifier, VerifierBusyError


def _random_client() -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": f"client_{secrets.token_hex(8)}",
        "client_secret": "wrong-secret",
    }


@pytest.fixture
def flood_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "rate_limit_token_per_address_per_minute": 1,
            "rate_limit_token_per_address_burst": 5,
        }
    )


def test_random_client_ids_from_one_address_are_limited(flood_settings: Settings) -> None:
    """The attacker picks a new client id each time; the source address still runs out."""
    with TestClient(create_app(flood_settings)) as client:
        statuses = [client.post("/oauth/token", data=_random_client()) for _ in range(8)]
    codes = [response.status_code for response in statuses]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429] * 3
    refused = statuses[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    assert int(refused.headers["retry-after"]) >= 1


def test_a_global_ceiling_holds_across_addresses_and_ids(settings: Settings) -> None:
    """The address limit (20 by default) is not reached; the ceiling on everyone is."""
    ceiling = settings.model_copy(
        update={"rate_limit_token_global_per_minute": 1, "rate_limit_token_global_burst": 3}
    )
    with TestClient(create_app(ceiling)) as client:
        codes = [client.post("/oauth/token", data=_random_client()).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_limits_are_shared_by_two_app_instances(flood_settings: Settings) -> None:
    """Two apps on one Neo4j (two workers, or two instances) do not double the limit."""
    with (
        TestClient(create_app(flood_settings)) as first,
        TestClient(create_app(flood_settings)) as second,
    ):
        codes = [
            (first if n % 2 else second).post("/oauth/token", data=_random_client()).status_code
            for n in range(7)
        ]
    assert codes == [401] * 5 + [429] * 2


@pytest.fixture
def stuck_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Argon2 replaced by a check that waits until the test releases it (at most 10 s)."""
    state: dict[str, Any] = {"entered": threading.Event(), "release": threading.Event()}

    class StuckHasher:
        def verify(self, stored_hash: str, secret: str) -> bool:
            state["entered"].set()
            state["released_in_time"] = state["release"].wait(timeout=10)
            return False

    monkeypatch.setattr(client_secrets, "_hasher", StuckHasher())
    yield state
    state["release"].set()


def test_healthz_answers_while_a_secret_check_runs(
    settings: Settings, stuck_hasher: dict[str, Any]
) -> None:
    """Before: the Argon2 check ran on the event loop, so /healthz waited for it."""
    with TestClient(create_app(settings)) as client:
        outcome: dict[str, int] = {}
        token_request = threading.Thread(
            target=lambda: outcome.update(
                status=client.post("/oauth/token", data=_random_client()).status_code
            )
        )
        token_request.start()
        assert stuck_hasher["entered"].wait(timeout=10)
        health = client.get("/healthz")
        stuck_hasher["release"].set()
        token_request.join(timeout=15)
    assert health.status_code == 200
    assert stuck_hasher["released_in_time"] is True
    assert outcome["status"] == 401


async def test_secret_checks_beyond_the_cap_are_refused_at_once(
    stuck_hasher: dict[str, Any],
) -> None:
    verifier = SecretVerifier(workers=1, max_pending=2)
    try:
        admitted = [asyncio.create_task(verifier.verify("s", None)) for _ in range(2)]
        await asyncio.sleep(0.05)
        with pytest.raises(VerifierBusyError):
            await verifier.verify("s", None)
        stuck_hasher["release"].set()
        assert await asyncio.gather(*admitted) == [False, False]
        assert verifier.pending == 0
    finally:
        verifier.close()


def test_the_verifier_is_busy_answers_429(settings: Settings, stuck_hasher: dict[str, Any]) -> None:
    narrow = settings.model_copy(update={"secret_check_workers": 1, "secret_check_max_pending": 1})
    with TestClient(create_app(narrow)) as client:
        first = threading.Thread(target=lambda: client.post("/oauth/token", data=_random_client()))
        first.start()
        assert stuck_hasher["entered"].wait(timeout=10)
        second = client.post("/oauth/token", data=_random_client())
        stuck_hasher["release"].set()
        first.join(timeout=15)
    assert second.status_code == 429
    assert second.headers["content-type"] == "application/problem+json"
    assert second.headers["retry-after"] == "1"


async def test_secret_checks_run_below_the_event_loop_priority() -> None:
    verifier = SecretVerifier(workers=1, max_pending=1, nice=10)
    try:
        loop = asyncio.get_running_loop()
        nice = await loop.run_in_executor(
            verifier._pool, lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        )
    finally:
        verifier.close()
    assert nice == max(10, os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
