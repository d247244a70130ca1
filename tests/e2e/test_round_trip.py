"""Two running Rolodex instances, each with its own Neo4j server, exchange a person's bundle both
ways: A exports for B, B imports; with consent B exports back to A; A imports — no duplicates,
nothing changed, provenance on both sides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.principals import Role
from tests.conftest import EXTERNAL_URI
from tests.support.live import LiveServer, dedicated_neo4j, start_server, wipe

Instance = LiveServer


@pytest.fixture(scope="module")
def second_neo4j() -> Iterator[str]:
    if EXTERNAL_URI:
        pytest.skip("the round trip needs two local Neo4j servers")
    server = dedicated_neo4j(1, "neo4j-test-b")
    was_running = server.status().running
    server.start()
    yield server.uri
    if not was_running:
        server.stop()


@pytest.fixture
def instances(
    neo4j_uri: str, second_neo4j: str, tmp_path: Path, clean_graph: None
) -> Iterator[tuple[Instance, Instance]]:
    wipe(second_neo4j)
    alpha = start_server("alpha", neo4j_uri, tmp_path)
    beta = start_server("beta", second_neo4j, tmp_path)
    try:
        yield alpha, beta
    finally:
        for instance in (alpha, beta):
            instance.stop()


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_round_trip_between_two_instances(instances: tuple[Instance, Instance]) -> None:
    alpha, beta = instances
    with httpx.Client(timeout=30) as http:
        # Each registers the other as a trusted platform.
        for here, there in ((alpha, beta), (beta, alpha)):
            _ok(
                http.post(
                    f"{here.url}/v1/admin/platforms",
                    headers=here.admin(),
                    json={
                        "id": there.name,
                        "name": there.name.title(),
                        "issuer": there.url,
                        "jwks_url": f"{there.url}/.well-known/jwks.json",
                    },
                ),
                201,
            )

        # On alpha: a person with two contacts consents to share with beta and exports for beta.
        person = _ok(
            http.post(
                f"{alpha.url}/v1/people",
                headers=alpha.headers("per_ana", Role.MENTEE),
                json={"display_name": "Ana Alpha", "roles": ["mentee"], "skills": ["python"]},
            ),
            201,
        )
        ana = person["id"]
        for name in ("Carla Card", "Dev Contact"):
            _ok(
                http.post(
                    f"{alpha.url}/v1/people/{ana}/contacts",
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
                f"{alpha.url}/v1/people/{ana}/consents",
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
                f"{alpha.url}/v1/people/{ana}/bundles",
                headers=alpha.headers(ana, Role.MENTEE),
                json={"audience": "beta"},
            ),
            201,
        )

        # Beta imports it (pushed by alpha's client at beta).
        imported = _ok(
            http.post(
                f"{beta.url}/v1/imports",
                headers=beta.partner("alpha", ["imports:write", "bundles:read"]),
                json={"bundle": to_beta["bundle"]},
            ),
            201,
        )
        assert imported["created"] == {"contacts": 2, "identities": 1, "people": 1}
        ana_at_beta = imported["person_id"]

        # On beta, Ana consents to share back with alpha; beta exports for alpha; alpha imports.
        _ok(
            http.post(
                f"{beta.url}/v1/people/{ana_at_beta}/consents",
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
                f"{beta.url}/v1/people/{ana_at_beta}/bundles",
                headers=beta.partner("alpha", ["imports:write", "bundles:read"]),
                json={"audience": "alpha"},
            ),
            201,
        )
        people_before = alpha.count("MATCH (p:Person) RETURN count(p)")
        contacts_before = alpha.count("MATCH (c:Contact) RETURN count(c)")
        back = _ok(
            http.post(
                f"{alpha.url}/v1/imports",
                headers=alpha.partner("beta", ["imports:write", "bundles:read"]),
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
    assert alpha.count("MATCH (p:Person) RETURN count(p)") == people_before
    assert alpha.count("MATCH (c:Contact) RETURN count(c)") == contacts_before

    # Provenance on both sides.
    assert beta.count(f"MATCH (c:Contact {{source_issuer: '{alpha.url}'}}) RETURN count(c)") == 2
    assert (
        beta.count(
            f"MATCH (:Person {{id: '{ana_at_beta}'}})-[:KNOWN_AS]->(:ExternalIdentity {{key: '{alpha.url}|{ana}'}}) RETURN count(*)"
        )
        == 1
    )
    assert (
        alpha.count(
            f"MATCH (:Person {{id: '{ana}'}})-[:KNOWN_AS]->(:ExternalIdentity {{key: '{beta.url}|{ana_at_beta}'}}) RETURN count(*)"
        )
        == 1
    )
    assert (
        alpha.count(
            f"MATCH (i:Import {{issuer: '{beta.url}', person_id: '{ana}'}}) RETURN count(i)"
        )
        == 1
    )
