"""Two running Rolodex instances, each with its own Neo4j server, exchange a person's bundle both
ways: alpha exports Ana (52 contacts, 3 mentorships, 10 sessions, 3 measurements) for beta, beta
imports it; with consent beta exports back; Ana imports it at alpha — every section equal, item
by item, to the original, no duplicates; a second round trip changes nothing at either end.
Every bundle is checked with the one verifier (`portability.verify.verify_bundle`)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import GraphDatabase

from app.localneo4j.server import LocalNeo4j
from app.settings import Settings
from auth.outbound import OutboundClient, OutboundPolicy
from auth.principals import Role
from portability.verify import HttpStatus, keys_from, verify_bundle
from tests.conftest import EXTERNAL_URI, TEST_NEO4J_PASSWORD, TEST_NEO4J_PORT
from tests.support.live_server import LiveServer, live_server

pytestmark = pytest.mark.neo4j  # runs the service and Neo4j for real

CONTACTS, MENTORSHIPS, SESSIONS, MEASUREMENTS = 50, 3, 10, 3
SECTIONS = ["contacts", "mentorships", "outcomes", "profile", "sessions"]


@pytest.fixture(scope="module")
def second_neo4j() -> Iterator[str]:
    if EXTERNAL_URI:
        pytest.skip("the round trip needs two local Neo4j servers")
    server = LocalNeo4j(
        home=Path(os.environ.get("ROLODEX_TEST_NEO4J_HOME", "var/neo4j-test")).with_name(
            "neo4j-test-b"
        ),
        port=TEST_NEO4J_PORT + 1,
        password=TEST_NEO4J_PASSWORD,
        cache_dir=Path(os.environ.get("ROLODEX_CACHE_DIR", ".cache")),
        heap="512m",
        pagecache_mib=128,
    )
    was_running = server.status().running
    server.start()
    yield server.uri
    if not was_running:
        server.stop()


def _count(server: LiveServer, cypher: str, **parameters: Any) -> int:
    with GraphDatabase.driver(
        server.settings.neo4j_uri, auth=("neo4j", TEST_NEO4J_PASSWORD)
    ) as driver:
        records, _, _ = driver.execute_query(cypher, parameters)
        return int(records[0][0])


@pytest.fixture
def instances(
    settings: Settings, second_neo4j: str, tmp_path: Path
) -> Iterator[tuple[LiveServer, LiveServer]]:
    with GraphDatabase.driver(second_neo4j, auth=("neo4j", TEST_NEO4J_PASSWORD)) as driver:
        driver.execute_query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n")
    alpha_settings = settings.model_copy(update={"platform_id": "alpha"})
    beta_settings = settings.model_copy(update={"platform_id": "beta", "neo4j_uri": second_neo4j})
    (tmp_path / "alpha").mkdir()
    (tmp_path / "beta").mkdir()
    with (
        live_server(alpha_settings, tmp_path / "alpha") as alpha,
        live_server(beta_settings, tmp_path / "beta") as beta,
    ):
        yield alpha, beta


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _seed_ana(server: LiveServer) -> str:
    """Ana at alpha, written the way graph/ writes it: 50 cards and 2 contacts who are people,
    3 mentorships (one per mentor) with 10 sessions, 3 outcome measurements."""
    with GraphDatabase.driver(
        server.settings.neo4j_uri, auth=("neo4j", TEST_NEO4J_PASSWORD)
    ) as driver:
        driver.execute_query(
            """
            CREATE (a:Person {id: 'per_ana', display_name: 'Ana Alpha', headline: 'Learning graphs',
                              skills: ['python'], languages: ['en'], roles: ['mentee'], capacity: 0,
                              discoverable: false, created_at: datetime('2026-01-01T09:00:00Z')})
            WITH a
            UNWIND range(1, $contacts) AS n
            CREATE (a)-[:HAS_CONTACT]->(:Contact {id: 'ctc_card' + n, name: 'Card Person ' + n,
                    email: 'card' + n + '@example.org', organisation: 'Org ' + (n % 7),
                    title: CASE WHEN n % 3 = 0 THEN null ELSE 'Engineer' END,
                    relation: 'colleague', context: 'worked together',
                    since: date('2024-01-01') + duration({days: n}), source: 'manual',
                    created_at: datetime('2026-01-02T09:00:00Z') + duration({seconds: n})})
            WITH DISTINCT a
            CREATE (g:Program {id: 'prg_main', name: 'Main', created_at: datetime()})
            CREATE (g)-[:HAS_COHORT]->(c:Cohort {id: 'coh_main', name: 'Spring', created_at: datetime()})
            CREATE (c)-[:HAS_OUTCOME]->(o:Outcome {id: 'out_ready', key: 'readiness',
                    name: 'Role readiness', metric: 'self-assessment', baseline: 2.0, target: 4.0,
                    unit: 'points'})
            CREATE (a)-[:MEMBER_OF]->(c)
            WITH a, c, o
            UNWIND range(1, $measurements) AS n
            CREATE (o)-[:HAS_MEASUREMENT]->(:Measurement {id: 'msr_' + n, value: 2.0 + n * 0.5,
                    measured_at: datetime('2026-03-01T10:00:00Z') + duration({days: 7 * n}),
                    recorded_at: datetime()})-[:OF_PERSON]->(a)
            WITH DISTINCT a, c
            UNWIND range(1, $mentorships) AS n
            CREATE (m:Person {id: 'per_mentor' + n, display_name: 'Mentor ' + n, roles: ['mentor'],
                              capacity: 3, created_at: datetime()})
            CREATE (x:Mentorship {id: 'mnt_' + n, status: CASE n WHEN 3 THEN 'completed' ELSE 'active' END,
                    goals: ['goal ' + n], proposed_at: datetime('2026-01-05T09:00:00Z') + duration({days: n}),
                    started_at: datetime('2026-01-06T09:00:00Z') + duration({days: n})})
            CREATE (m)-[:MENTOR_IN]->(x), (a)-[:MENTEE_IN]->(x), (x)-[:IN_COHORT]->(c),
                   (m)-[:MEMBER_OF]->(c)
            WITH a, x, n
            UNWIND range(1, CASE n WHEN 1 THEN 4 ELSE 3 END) AS s
            CREATE (x)-[:HAS_SESSION]->(:Session {id: x.id + '_ses_' + s, status: 'completed',
                    scheduled_at: datetime('2026-02-01T10:00:00Z') + duration({days: 10 * n + s}),
                    sentiment_pre: 3, sentiment_post: 4, notes: 'private'})
            WITH DISTINCT a
            MATCH (m:Person) WHERE m.id IN ['per_mentor1', 'per_mentor2']
            CREATE (a)-[:KNOWS {id: 'ctc_' + m.id, relation: 'mentor', context: 'my mentor',
                                source: 'manual', created_at: datetime('2026-01-03T09:00:00Z')}]->(m)
            """,
            {
                "contacts": CONTACTS,
                "mentorships": MENTORSHIPS,
                "measurements": MEASUREMENTS,
            },
        )
    return "per_ana"


def _claims(bundle: str) -> dict[str, Any]:
    segment = bundle.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded


def _verified(issuer: LiveServer, bundle: str, audience: str) -> dict[str, Any]:
    """The bundle through the one verifier, keys and consent status from the issuer itself."""
    jwks = httpx.get(f"{issuer.base_url}/.well-known/jwks.json", timeout=10).json()

    async def run() -> dict[str, Any]:
        http = OutboundClient(OutboundPolicy(allow_loopback=True, deadline_seconds=10.0))
        try:
            verified = await verify_bundle(
                bundle,
                keys_from({key["kid"]: key for key in jwks["keys"]}),
                now=datetime.now(UTC),
                audiences={audience},
                issuer=issuer.base_url,
                status_of=HttpStatus(http),
            )
        finally:
            await http.aclose()
        assert verified.consent is not None
        assert verified.consent.status == "active"
        return verified.claims

    return asyncio.run(run())


def _share(http: httpx.Client, server: LiveServer, person: str, audience: str) -> None:
    me = server.headers(person, Role.MENTEE)
    _ok(
        http.put(
            f"{server.base_url}/v1/people/{person}/preferences",
            headers=me,
            json={"choices": {"share_contacts": True, "share_outcomes": True}},
        )
    )
    _ok(
        http.post(
            f"{server.base_url}/v1/people/{person}/consents",
            headers=me,
            json={"audience": audience, "scopes": SECTIONS, "purpose": f"Move to {audience}"},
        ),
        201,
    )


def _export(http: httpx.Client, server: LiveServer, person: str, audience: str) -> str:
    exported = _ok(
        http.post(
            f"{server.base_url}/v1/people/{person}/bundles",
            headers=_partner(server, audience),
            json={"audience": audience},
        ),
        201,
    )
    assert exported["scopes"] == SECTIONS
    bundle: str = exported["bundle"]
    return bundle


def _partner(server: LiveServer, platform_id: str) -> dict[str, str]:
    return server.headers(
        f"client_{platform_id}",
        Role.PARTNER,
        scopes=("imports:write", "bundles:read"),
        platform_id=platform_id,
    )


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    """Every section; the profile without `identities` (the round trip adds Ana's id at beta)."""
    profile = {key: value for key, value in body["profile"].items() if key != "identities"}
    return {**{section: body[section] for section in SECTIONS}, "profile": profile}


def test_round_trip_between_two_instances(instances: tuple[LiveServer, LiveServer]) -> None:
    alpha, beta = instances
    a, b = alpha.base_url, beta.base_url
    ana = _seed_ana(alpha)
    nodes = "MATCH (n) WHERE NOT n:Import AND NOT n:AuditEvent AND NOT n:Export AND NOT n:Pseudonym AND NOT n:InboundConsent AND NOT n:Consent AND NOT n:SchemaMigration AND NOT n:RateCounter AND NOT n:ImportRefusals RETURN count(n)"
    with httpx.Client(timeout=60) as http:
        for here, there in ((alpha, beta), (beta, alpha)):
            _ok(
                http.post(
                    f"{here.base_url}/v1/admin/platforms",
                    headers=here.headers("operator", Role.ADMIN),
                    json={
                        "id": there.settings.platform_id,
                        "name": there.settings.platform_id.title(),
                        "issuer": there.base_url,
                        "jwks_url": f"{there.base_url}/.well-known/jwks.json",
                    },
                ),
                201,
            )

        # alpha → beta: Ana consents, alpha exports for beta, alpha's client pushes it into beta.
        _share(http, alpha, ana, "beta")
        original_bundle = _export(http, alpha, ana, "beta")
        original = _verified(alpha, original_bundle, "beta")["rolodex"]
        assert len(original["contacts"]) == CONTACTS + 2
        assert (len(original["mentorships"]), len(original["sessions"])) == (MENTORSHIPS, SESSIONS)
        assert len(original["outcomes"]) == MEASUREMENTS
        at_beta = _ok(
            http.post(
                f"{b}/v1/imports", headers=_partner(beta, "alpha"), json={"bundle": original_bundle}
            ),
            201,
        )
        assert at_beta["created"] == {
            "contacts": CONTACTS + 2,
            "identities": 1,
            "mentorships": MENTORSHIPS,
            "outcomes": MEASUREMENTS,
            "people": 1,
            "sessions": SESSIONS,
        }
        ana_at_beta = at_beta["person_id"]
        # provenance at beta: every imported record names its issuer and bundle
        assert (
            _count(
                beta,
                "MATCH (:Person {id: $p})-[:HAS_EXTERNAL]->(r:ExternalRecord {source_issuer: $a, origin_iss: $a}) "
                "WHERE r.source_bundle IS NOT NULL AND r.imported_at IS NOT NULL RETURN count(r)",
                p=ana_at_beta,
                a=a,
            )
            == MENTORSHIPS + SESSIONS + MEASUREMENTS
        )

        shown = _ok(
            http.get(
                f"{b}/v1/people/{ana_at_beta}/imported-records",
                headers=beta.headers(ana_at_beta, Role.MENTEE),
                params={"kind": "mentorships"},
            )
        )["items"]
        assert sorted(r["origin"]["id"] for r in shown) == [f"mnt_{n}" for n in (1, 2, 3)]
        assert {(r["origin"]["iss"], r["source_issuer"]) for r in shown} == {(a, a)}
        assert {r["item"]["role"] for r in shown} == {"mentee"}

        # beta → alpha: Ana consents at beta, beta exports for alpha, Ana imports it at alpha.
        _share(http, beta, ana_at_beta, "alpha")
        back_bundle = _export(http, beta, ana_at_beta, "alpha")
        _verified(beta, back_bundle, "alpha")
        people, before = _count(alpha, "MATCH (p:Person) RETURN count(p)"), _count(alpha, nodes)
        back = _ok(
            http.post(
                f"{a}/v1/imports",
                headers=alpha.headers(ana, Role.MENTEE),
                json={"bundle": back_bundle},
            ),
            201,
        )
        assert back["person_id"] == ana
        assert back["created"] == {"identities": 1}  # alpha now knows Ana's id at beta
        assert (back["updated"], back["conflicts"], back["warnings"]) == ({}, [], [])
        assert back["unchanged"] == {
            "contacts": CONTACTS + 2,
            "mentorships": MENTORSHIPS,
            "outcomes": MEASUREMENTS,
            "profile": 1,
            "sessions": SESSIONS,
        }
        assert _count(alpha, "MATCH (p:Person) RETURN count(p)") == people
        assert _count(alpha, nodes) == before + 1  # the new ExternalIdentity, nothing else

        # Every section equal, item by item, to the original.
        again = _claims(_export(http, alpha, ana, "beta"))["rolodex"]
        assert _comparable(again) == _comparable(original)

        # A second round trip changes nothing at either end (and beta's push now binds to Ana).
        second = _ok(
            http.post(
                f"{b}/v1/imports",
                headers=_partner(beta, "alpha"),
                json={"bundle": _export(http, alpha, ana, "beta")},
            ),
            201,
        )
        assert second["person_id"] == ana_at_beta
        assert (second["created"], second["updated"], second["conflicts"]) == ({}, {}, [])
        home = _ok(
            http.post(
                f"{a}/v1/imports",
                headers=_partner(alpha, "beta"),
                json={"bundle": _export(http, beta, ana_at_beta, "alpha")},
            ),
            201,
        )
        assert home["person_id"] == ana
        assert (home["created"], home["updated"], home["conflicts"]) == ({}, {}, [])
        assert home["unchanged"] == {
            "contacts": CONTACTS + 2,
            "identities": 1,
            "mentorships": MENTORSHIPS,
            "outcomes": MEASUREMENTS,
            "profile": 1,
            "sessions": SESSIONS,
        }
        assert _count(alpha, nodes) == before + 1
