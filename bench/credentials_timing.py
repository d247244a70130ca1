"""SD-JWT VC timings for docs/performance.md (prints JSON): issue a credential with 1,000
contacts, present 10 of them, verify and import the presentation.

In process over the ASGI app (FastAPI TestClient), on a Neo4j of its own: a person with 1,000
contacts, 5 mentorships and 20 sessions. `issue` is `POST /v1/me/credentials` (reading the
slice, allocating the status entry, building ~1,030 disclosures, signing); `present` is the
wallet selecting 10 contacts and signing the key-binding JWT (client side); `verify+import` is
`POST /v1/imports` with the presentation (issuer signature, disclosures, key binding, nonce,
status list from the graph, the merge with its import record; the items are the holder's own,
so after the first run they merge as unchanged). The nonce request is not timed.

    ROLODEX_BENCH_NEO4J_PORT=7835 PYTHONPATH=. .venv/bin/python bench/credentials_timing.py [runs]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.localneo4j.server import LocalNeo4j
from app.main import create_app
from app.settings import Settings
from bench.portability_timing import PASSWORD, SUBJECT, build_person, percentile
from credentials.wallet import Wallet
from tests.conftest import TokenFactory


def _summary(timings: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(timings, 0.50), 1),
        "p99_ms": round(percentile(timings, 0.99), 1),
        "max_ms": round(max(timings), 1),
        "runs": len(timings),
    }


def _timed(timings: list[float], started: float) -> None:
    timings.append((time.perf_counter() - started) * 1000)


def run(client: TestClient, settings: Settings, runs: int, wallet_dir: Path) -> dict[str, Any]:
    tokens = TokenFactory(client, settings)
    headers = tokens.headers(SUBJECT, "mentee")
    metadata = client.get("/.well-known/jwt-vc-issuer").json()
    registered = client.post(
        "/v1/admin/platforms",
        json={"id": "self", "name": "Self", "issuer": metadata["issuer"], "jwks": metadata["jwks"]},
        headers=tokens.headers("root", "admin"),
    )
    assert registered.status_code == 201, registered.text
    wallet = Wallet.open(wallet_dir / "wallet.json")
    public = wallet.keygen()
    body = {"holder_jwk": {k: public[k] for k in ("kty", "crv", "x", "y")}}
    issue_ms: list[float] = []
    answer: dict[str, Any] = {}
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post("/v1/me/credentials", json=body, headers=headers)
        _timed(issue_ms, started)
        assert response.status_code == 201, response.text
        answer = response.json()
    credential_id = wallet.receive(json.dumps(answer))
    paths = [f"contacts[{i}]" for i in range(0, 1000, 100)]
    present_ms: list[float] = []
    import_ms: list[float] = []
    presentation = ""
    for _ in range(runs):
        nonce = client.post("/v1/imports/nonce", headers=headers).json()
        started = time.perf_counter()
        presentation = wallet.present(credential_id, paths, aud=nonce["aud"], nonce=nonce["nonce"])
        _timed(present_ms, started)
        started = time.perf_counter()
        response = client.post("/v1/imports", json={"presentation": presentation}, headers=headers)
        _timed(import_ms, started)
        assert response.status_code == 201, response.text
        assert len(response.json()["disclosed"]) == len(paths)
    return {
        "credential": {
            "contacts": 1000,
            "disclosures": answer["credential"].count("~") - 1,
            "bytes": len(answer["credential"]),
        },
        "presentation": {"disclosed": len(paths), "bytes": len(presentation)},
        "issue": _summary(issue_ms),
        "present_wallet": _summary(present_ms),
        "verify_and_import": _summary(import_ms),
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    port = int(os.environ.get("ROLODEX_BENCH_NEO4J_PORT", "7835"))
    server = LocalNeo4j(
        home=Path("var/neo4j-bench-credentials"),
        port=port,
        password=PASSWORD,
        cache_dir=Path(os.environ.get("ROLODEX_CACHE_DIR", ".cache")),
        heap="1g",
        pagecache_mib=512,
    )
    server.start()
    try:
        asyncio.run(build_person(server.uri, 1000, 5, 4))
        with tempfile.TemporaryDirectory() as keys, tempfile.TemporaryDirectory() as wallets:
            settings = Settings(
                environment="test",
                neo4j_uri=server.uri,
                neo4j_password=PASSWORD,
                public_url="http://testserver",
                keys_dir=Path(keys),
                log_level="ERROR",
                webhook_worker_enabled=False,
                rate_limit_import_per_minute=100_000,
                rate_limit_burst=100_000,
            )
            with TestClient(create_app(settings)) as client:
                results = run(client, settings, runs, Path(wallets))
    finally:
        server.stop()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
