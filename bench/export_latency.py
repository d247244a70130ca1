"""Export over HTTP: latency of `POST /v1/people/{id}/bundles` for profiles of 10, 100 and 1,000
contacts, against the floor — the raw driver fetching the same subgraph, plus signing it.

Requests are sequential on one keep-alive connection to a real uvicorn process on loopback,
after a warm-up. The floor runs in this process: plain synchronous driver, the simplest queries
for the same items, `json.dumps` and an ES256 JWS with the same key type (python-jose).
"""

from __future__ import annotations

import json
import time
from typing import Any, LiteralString

import httpx
import neo4j
from jose import jws

from auth.keys import ALGORITHM, KeyStore
from bench.api import BASE_URL, PROBE_CONTACTS, person_token
from bench.common import DATABASE, percentiles

FLOOR_QUERIES: tuple[LiteralString, ...] = (
    "MATCH (p:Person {id: $id}) RETURN properties(p) AS item",
    "MATCH (:Person {id: $id})-[k:KNOWS]->(x:Person) "
    "RETURN properties(k) AS item, x.display_name AS name",
    "MATCH (:Person {id: $id})-[:HAS_CONTACT]->(c:Contact) RETURN properties(c) AS item",
    "MATCH (:Person {id: $id})-[r:MENTOR_IN|MENTEE_IN]->(x:Mentorship)<-[:MENTOR_IN|MENTEE_IN]-"
    "(o:Person), (x)-[:IN_COHORT]->(c:Cohort)<-[:HAS_COHORT]-(g:Program) "
    "RETURN properties(x) AS item, type(r) AS role, o.id AS other, c.id AS cohort, g.id AS program",
    "MATCH (:Person {id: $id})-[:MENTOR_IN|MENTEE_IN]->(:Mentorship)-[:HAS_SESSION]->(s:Session) "
    "RETURN properties(s) AS item",
    "MATCH (o:Outcome)-[:HAS_MEASUREMENT]->(m:Measurement)-[:OF_PERSON]->(:Person {id: $id}) "
    "RETURN properties(m) AS item, o.key AS outcome",
)


def floor_once(driver: neo4j.Driver, keys: KeyStore, person_id: str) -> int:
    """Fetch the subgraph and sign it; the token's length."""

    def fetch(tx: neo4j.ManagedTransaction) -> list[list[dict[str, Any]]]:
        return [[r.data() for r in tx.run(q, id=person_id)] for q in FLOOR_QUERIES]

    with driver.session(database=DATABASE, default_access_mode=neo4j.READ_ACCESS) as session:
        data = session.execute_read(fetch)
    key = keys.documents.active
    token: str = jws.sign(
        json.dumps(data, default=str).encode(),
        key.private_jwk(),
        headers={"kid": key.kid, "typ": "rolodex-bundle+jwt"},
        algorithm=ALGORITHM,
    )
    return len(token)


def floor(driver: neo4j.Driver, keys: KeyStore, person_id: str, n: int) -> list[float]:
    for _ in range(5):
        floor_once(driver, keys, person_id)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        floor_once(driver, keys, person_id)
        samples.append(time.perf_counter() - started)
    return samples


def over_http(client: httpx.Client, token: str, person_id: str, n: int) -> tuple[list[float], int]:
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{BASE_URL}/v1/people/{person_id}/bundles"
    size = 0
    for _ in range(10):
        client.post(url, json={"audience": "self"}, headers=headers).raise_for_status()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.post(url, json={"audience": "self"}, headers=headers)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
        size = len(response.content)
    return samples, size


def measure(driver: neo4j.Driver, keys: KeyStore, samples: int = 200) -> dict[str, Any]:
    """Latency by profile size; ratio of the HTTP p50/p99 to the floor's."""
    results: dict[str, Any] = {}
    with httpx.Client(timeout=30) as client:
        for contacts in PROBE_CONTACTS:
            person_id = f"per_probe{contacts}"
            n = samples
            http, size = over_http(client, person_token(keys, person_id), person_id, n)
            base = floor(driver, keys, person_id, n)
            ours, theirs = percentiles(http), percentiles(base)
            results[str(contacts)] = {
                "contacts": contacts,
                "response_bytes": size,
                "http": ours,
                "floor": theirs,
                "ratio_p50": round(ours["p50_ms"] / theirs["p50_ms"], 2),
                "ratio_p99": round(ours["p99_ms"] / theirs["p99_ms"], 2),
                "bundles_per_s_sequential": round(1000 / ours["mean_ms"], 1),
            }
    return results
