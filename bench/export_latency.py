"""Export over HTTP: latency of `POST /v1/people/{id}/bundles` for profiles of 10, 100 and 1,000
contacts, against the floor, sampled interleaved (one of each in turn) so both see the same load.

The floor is the fastest raw way found to do the same work with the same driver and database:
one write transaction running one query that reads the whole subgraph (temporals turned into
ISO strings by Cypher, so the driver hydrates none) and writes the export record, `orjson`, and
an ES256 JWS signed with a key object built once. Requests are sequential on one keep-alive
connection to a real uvicorn process on loopback, after a warm-up. Every HTTP answer must be a
201 whose bundle holds the profile's contacts; every floor answer must hold them too.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from typing import Any, LiteralString

import httpx
import neo4j
import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from auth.keys import KeyStore
from bench.api import BASE_URL, PROBE_CONTACTS, person_token
from bench.checks import BenchError, expect, expect_size
from bench.common import DATABASE, percentiles


def _iso(var: str, *names: str) -> str:
    return ", ".join(f"{name}: toString({var}.{name})" for name in names)


FLOOR_QUERY: LiteralString = f"""
MATCH (p:Person {{id: $id}})
CALL (p) {{
  OPTIONAL MATCH (p)-[k:KNOWS]->(x:Person)
  RETURN collect(k {{.*, to_id: x.id, to_name: x.display_name, {_iso("k", "created_at", "since")}}})
         AS knows
}}
CALL (p) {{
  OPTIONAL MATCH (p)-[:HAS_CONTACT]->(c:Contact)
  RETURN collect(c {{.*, {_iso("c", "created_at", "since")}}}) AS cards
}}
CALL (p) {{
  OPTIONAL MATCH (p)-[r:MENTOR_IN|MENTEE_IN]->(x:Mentorship)<-[:MENTOR_IN|MENTEE_IN]-(o:Person)
  OPTIONAL MATCH (x)-[:IN_COHORT]->(c:Cohort)<-[:HAS_COHORT]-(g:Program)
  RETURN collect(x {{.*, role: type(r), other: o.id, cohort: c.id, program: g.id,
                    {_iso("x", "proposed_at", "started_at", "ended_at", "updated_at")}}})
         AS mentorships
}}
CALL (p) {{
  OPTIONAL MATCH (p)-[:MENTOR_IN|MENTEE_IN]->(:Mentorship)-[:HAS_SESSION]->(s:Session)
  RETURN collect(s {{.*, {
    _iso(
        "s",
        "scheduled_at",
        "requested_at",
        "responded_at",
        "created_at",
        "updated_at",
        "completed_at",
        "cancelled_at",
    )
}}}) AS sessions
}}
CALL (p) {{
  OPTIONAL MATCH (o:Outcome)-[:HAS_MEASUREMENT]->(m:Measurement)-[:OF_PERSON]->(p)
  RETURN collect(m {{.*, outcome: o.key, {_iso("m", "measured_at", "recorded_at")}}})
         AS measurements
}}
CREATE (e:Export {{id: $export_id, audience: 'self', at: datetime(), actor: p.id}})-[:OF]->(p)
RETURN p {{.*, {_iso("p", "created_at", "updated_at")}}} AS person,
       knows, cards, mentorships, sessions, measurements
"""


class FloorSigner:
    """ES256 with the documents key, its key object built once (as a service would keep it)."""

    def __init__(self, keys: KeyStore) -> None:
        active = keys.documents.active
        self._key = active.private_key
        header = {"alg": "ES256", "kid": active.kid, "typ": "rolodex-bundle+jwt"}
        self._header = _b64(orjson.dumps(header))

    def sign(self, payload: bytes) -> str:
        signing_input = self._header + b"." + _b64(payload)
        r, s = decode_dss_signature(self._key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return (signing_input + b"." + _b64(signature)).decode()


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def floor_once(driver: neo4j.Driver, signer: FloorSigner, person_id: str) -> tuple[str, int]:
    """Read the subgraph, write the export record, sign: the token and the contacts it holds."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        record = tx.run(FLOOR_QUERY, id=person_id, export_id=f"exp_floor_{uuid.uuid4().hex}")
        found = record.single()
        if found is None:
            raise BenchError(f"export floor: no person {person_id}")
        return found.data()

    with driver.session(database=DATABASE) as session:
        data = session.execute_write(work)
    now = int(time.time())
    claims = {"iss": BASE_URL, "sub": person_id, "iat": now, "exp": now + 3600, "rolodex": data}
    return signer.sign(orjson.dumps(claims)), len(data["knows"]) + len(data["cards"])


def _contacts_in(bundle: str) -> int:
    payload = bundle.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return len(claims["rolodex"].get("contacts", []))


def measure(driver: neo4j.Driver, keys: KeyStore, samples: int = 200) -> dict[str, Any]:
    """Latency by profile size, HTTP and floor sampled in turn; ratios of p50 and p99."""
    signer = FloorSigner(keys)
    results: dict[str, Any] = {}
    with httpx.Client(timeout=60) as client:
        for contacts in PROBE_CONTACTS:
            person_id = f"per_probe{contacts}"
            headers = {"Authorization": f"Bearer {person_token(keys, person_id)}"}
            url = f"{BASE_URL}/v1/people/{person_id}/bundles"
            what = f"export of {contacts} contacts"
            for _ in range(5):  # warm-up, and the answers' sizes
                body = expect(
                    client.post(url, json={"audience": "self"}, headers=headers), 201, what
                )
                expect_size(_contacts_in(body["bundle"]), contacts, what)
                expect_size(floor_once(driver, signer, person_id)[1], contacts, f"{what} (floor)")
            http: list[float] = []
            base: list[float] = []
            size = 0
            for _ in range(samples):
                started = time.perf_counter()
                response = client.post(url, json={"audience": "self"}, headers=headers)
                http.append(time.perf_counter() - started)
                expect(response, 201, what)
                size = len(response.content)
                started = time.perf_counter()
                _, found = floor_once(driver, signer, person_id)
                base.append(time.perf_counter() - started)
                expect_size(found, contacts, f"{what} (floor)")
            ours, theirs = percentiles(http), percentiles(base)
            results[str(contacts)] = {
                "contacts": contacts,
                "response_bytes": size,
                "http": ours,
                "floor": theirs,
                "ratio_p50": round(ours["p50_ms"] / theirs["p50_ms"], 2),
                "ratio_p99": round(ours["p99_ms"] / theirs["p99_ms"], 2),
                "bundles_per_s_sequential": round(1000 / ours["mean_ms"], 1),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
    return results
