"""Export and import timings for the closing notes of the export and import work (prints JSON).

Export: a person with 1,000 contacts, 50 mentorships and 500 sessions, exported (all scopes) over
the ASGI app 20 times: bundle size and latency percentiles. Import: partner bundles of 100, 1,000
and 10,000 contacts, fresh and re-imported unchanged. Runs its own Neo4j (port 7761).

    PYTHONPATH=. .venv/bin/python bench/portability_timing.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.localneo4j.server import LocalNeo4j
from app.main import create_app
from app.settings import Settings
from graph.db import connect
from tests.conftest import TokenFactory
from tests.support.fake_partner import FakePartner

PASSWORD = "bench-password-123"  # noqa: S105 - the throwaway bench server's password
SUBJECT = "per_bench"


async def build_person(uri: str, contacts: int, mentorships: int, sessions_per: int) -> None:
    graph = await connect(uri, "neo4j", PASSWORD, "neo4j")
    await graph.query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n", write=True)
    await graph.query(
        """
        CREATE (s:Person {id: $id, display_name: 'Bench Person', roles: ['mentee'], skills: ['python'],
                          languages: ['en'], discoverable: true, created_at: datetime()})
        CREATE (g:Program {id: 'prg_b', name: 'B', created_at: datetime()})-[:HAS_COHORT]->(c:Cohort {id: 'coh_b', created_at: datetime()})
        WITH s, c
        UNWIND range(1, $contacts) AS n
        CREATE (s)-[:HAS_CONTACT]->(:Contact {id: 'ctc_b' + n, name: 'Contact ' + n, email: 'c' + n + '@example.org',
                organisation: 'Org', title: 'Engineer', relation: 'colleague', context: 'work',
                source: 'manual', created_at: datetime()})
        WITH DISTINCT s, c
        UNWIND range(1, $mentorships) AS m
        CREATE (mentor:Person {id: 'per_m' + m, display_name: 'Mentor ' + m, roles: ['mentor'], capacity: 5, created_at: datetime()})
        CREATE (x:Mentorship {id: 'mnt_b' + m, status: 'active', goals: ['grow'], proposed_at: datetime(), started_at: datetime()})
        CREATE (mentor)-[:MENTOR_IN]->(x), (s)-[:MENTEE_IN]->(x), (x)-[:IN_COHORT]->(c)
        WITH x, m
        UNWIND range(1, $sessions) AS n
        CREATE (x)-[:HAS_SESSION]->(:Session {id: 'ses_b' + m + '_' + n, status: 'completed',
                scheduled_at: datetime() - duration({days: n}), sentiment_pre: 3, sentiment_post: 4})
        """,
        {"id": SUBJECT, "contacts": contacts, "mentorships": mentorships, "sessions": sessions_per},
        write=True,
    )
    await graph.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    server = LocalNeo4j(
        home=Path("var/neo4j-bench-portability"),
        port=7761,
        password=PASSWORD,
        cache_dir=Path(".cache"),
        heap="2g",
        pagecache_mib=1024,
    )
    server.start()
    settings = Settings(
        environment="test",
        neo4j_uri=server.uri,
        neo4j_password=PASSWORD,
        public_url="http://testserver",
        keys_dir=Path("var/bench-keys"),
        log_level="ERROR",
        webhook_worker_enabled=False,
        rate_limit_export_per_minute=100_000,
        rate_limit_import_per_minute=100_000,
        rate_limit_burst=100_000,
    )
    results: dict[str, Any] = {}
    try:
        asyncio.run(build_person(server.uri, 1000, 50, 10))
        with TestClient(create_app(settings)) as client:
            tokens = TokenFactory(client, settings)
            headers = tokens.headers(SUBJECT, "mentee")
            timings, size = [], 0
            for _ in range(20):
                started = time.perf_counter()
                response = client.post(
                    f"/v1/people/{SUBJECT}/bundles", json={"audience": "self"}, headers=headers
                )
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 201, response.text
                size = len(response.json()["bundle"])
            results["export_1000_contacts_50_mentorships_500_sessions"] = {
                "bundle_bytes": size,
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 0.95), 1),
                "max_ms": round(max(timings), 1),
                "runs": len(timings),
            }
            partner = FakePartner("acme")
            admin = tokens.headers("root", "admin")
            client.post("/v1/admin/platforms", json=partner.registration(), headers=admin)
            pusher = tokens.partner("acme", ["imports:write"])
            imports: dict[str, Any] = {}
            for size_items in (100, 1000, 10000):
                subject = f"ext-{size_items}"
                fresh = partner.v2(subject=subject, contacts=size_items, jti=f"bdl_{size_items}_a")
                again = partner.v2(subject=subject, contacts=size_items, jti=f"bdl_{size_items}_b")
                started = time.perf_counter()
                first = client.post("/v1/imports", json={"bundle": fresh}, headers=pusher)
                fresh_ms = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                second = client.post("/v1/imports", json={"bundle": again}, headers=pusher)
                again_ms = (time.perf_counter() - started) * 1000
                assert first.status_code == 201, first.text
                assert second.status_code == 201, second.text
                assert second.json()["created"] == {}
                imports[str(size_items)] = {
                    "items": size_items + 1,
                    "fresh_ms": round(fresh_ms, 1),
                    "reimport_unchanged_ms": round(again_ms, 1),
                    "bundle_bytes": len(fresh),
                }
            partner.close()
            results["import_contacts"] = imports
    finally:
        server.stop()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
