"""Two running Rolodex instances, each with its own Neo4j server, exchange a person's bundle both
ways: A exports for B, B imports; with consent B exports back to A; A imports — no duplicates,
nothing changed, provenance on both sides."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import GraphDatabase

from app.localneo4j.server import LocalNeo4j
from app.settings import Settings
from auth.principals import Role
from tests.conftest import EXTERNAL_URI, TEST_NEO4J_PASSWORD, TEST_NEO4J_PORT
from tests.support.live_server import LiveServer, live_server


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


def _partner(server: LiveServer, platform_id: str) -> dict[str, str]:
    return server.headers(
        f"client_{platform_id}",
        Role.PARTNER,
        scopes=("imports:write", "bundles:read"),
        platform_id=platform_id,
    )


def test_round_trip_between_two_instances(instances: tuple[LiveServer, LiveServer]) -> None:
    alpha, beta = instances
    a, b = alpha.base_url, beta.base_url
    with httpx.Client(timeout=30) as http:
        # Each registers the other as a trusted platform.
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

        # On alpha: a person with two contacts consents to share with beta and exports for beta.
        ana = _ok(
            http.post(
                f"{a}/v1/people",
                headers=alpha.headers("per_ana", Role.MENTEE),
                json={"display_name": "Ana Alpha", "roles": ["mentee"], "skills": ["python"]},
            ),
            201,
        )["id"]
        for name in ("Carla Card", "Dev Contact"):
            _ok(
                http.post(
                    f"{a}/v1/people/{ana}/contacts",
                    headers=alpha.headers(ana, Role.MENTEE),
                    json={
                        "name": name,
                        "email": f"{name.split()[0].lower()}@example.org",
                        "relation": "colleague",
                    },
                ),
                201,
            )
        _ok(
            http.post(
                f"{a}/v1/people/{ana}/consents",
                headers=alpha.headers(ana, Role.MENTEE),
                json={
                    "audience": "beta",
                    "scopes": ["profile", "contacts"],
                    "purpose": "Move my profile to Beta",
                },
            ),
            201,
        )
        to_beta = _ok(
            http.post(
                f"{a}/v1/people/{ana}/bundles",
                headers=alpha.headers(ana, Role.MENTEE),
                json={"audience": "beta"},
            ),
            201,
        )

        # Beta imports it (pushed by alpha's client at beta).
        imported = _ok(
            http.post(
                f"{b}/v1/imports",
                headers=_partner(beta, "alpha"),
                json={"bundle": to_beta["bundle"]},
            ),
            201,
        )
        assert imported["created"] == {"contacts": 2, "identities": 1, "people": 1}
        ana_at_beta = imported["person_id"]

        # On beta, Ana consents to share back with alpha; beta exports for alpha; alpha imports.
        _ok(
            http.post(
                f"{b}/v1/people/{ana_at_beta}/consents",
                headers=beta.headers(ana_at_beta, Role.MENTEE),
                json={
                    "audience": "alpha",
                    "scopes": ["profile", "contacts"],
                    "purpose": "Back to Alpha",
                },
            ),
            201,
        )
        to_alpha = _ok(
            http.post(
                f"{b}/v1/people/{ana_at_beta}/bundles",
                headers=_partner(beta, "alpha"),
                json={"audience": "alpha"},
            ),
            201,
        )
        people_before = _count(alpha, "MATCH (p:Person) RETURN count(p)")
        contacts_before = _count(alpha, "MATCH (c:Contact) RETURN count(c)")
        back = _ok(
            http.post(
                f"{a}/v1/imports",
                headers=_partner(alpha, "beta"),
                json={"bundle": to_alpha["bundle"]},
            ),
            201,
        )

    # Alpha recognises Ana and her contacts as its own: no duplicates, nothing changed.
    assert back["person_id"] == ana
    assert back["created"] == {"identities": 1}  # alpha now also knows Ana's id at beta
    assert back["updated"] == {}
    assert back["conflicts"] == []
    assert back["unchanged"] == {"contacts": 2, "profile": 1}
    assert _count(alpha, "MATCH (p:Person) RETURN count(p)") == people_before
    assert _count(alpha, "MATCH (c:Contact) RETURN count(c)") == contacts_before

    # Provenance on both sides.
    assert _count(beta, "MATCH (c:Contact {source_issuer: $a}) RETURN count(c)", a=a) == 2
    known = (
        "MATCH (:Person {id: $person})-[:KNOWN_AS]->(:ExternalIdentity {key: $key}) RETURN count(*)"
    )
    assert _count(beta, known, person=ana_at_beta, key=f"{a}|{ana}") == 1
    assert _count(alpha, known, person=ana, key=f"{b}|{ana_at_beta}") == 1
    assert (
        _count(
            alpha, "MATCH (i:Import {issuer: $b, person_id: $ana}) RETURN count(i)", b=b, ana=ana
        )
        == 1
    )
