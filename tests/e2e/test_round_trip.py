"""Two running Rolodex instances, each with its own Neo4j server, exchange a person's bundle both
ways: A exports for B, B imports; with consent B exports back to A; A imports — no duplicates,
nothing changed, provenance on both sides."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import GraphDatabase

from app.localneo4j.server import LocalNeo4j
from auth.keys import KeyRing
from auth.principals import Role
from auth.tokens import issue_access_token
from tests.conftest import EXTERNAL_URI, TEST_NEO4J_PASSWORD, TEST_NEO4J_PORT

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Instance:
    name: str
    url: str
    keys_dir: Path
    neo4j_uri: str
    process: subprocess.Popen[bytes]

    def token(self, subject: str, role: Role, **extra: Any) -> dict[str, str]:
        ring = KeyRing.load("access", self.keys_dir / "access")
        token = issue_access_token(
            ring,
            issuer=self.url,
            audience=self.url,
            subject=subject,
            role=role,
            ttl=timedelta(minutes=10),
            **extra,
        )
        return {"Authorization": f"Bearer {token}"}

    def admin(self) -> dict[str, str]:
        return self.token("operator", Role.ADMIN, programs=["*"])

    def partner(self, platform_id: str) -> dict[str, str]:
        return self.token(
            f"client_{platform_id}",
            Role.PARTNER,
            scopes=["imports:write", "bundles:read"],
            platform_id=platform_id,
        )

    def count(self, cypher: str) -> int:
        with GraphDatabase.driver(self.neo4j_uri, auth=("neo4j", TEST_NEO4J_PASSWORD)) as driver:
            records, _, _ = driver.execute_query(cypher)
            return int(records[0][0])


def _start(name: str, neo4j_uri: str, tmp: Path) -> Instance:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    keys_dir = tmp / f"keys-{name}"
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_uri,
        "NEO4J_PASSWORD": TEST_NEO4J_PASSWORD,
        "ROLODEX_ENVIRONMENT": "test",
        "ROLODEX_PUBLIC_URL": url,
        "ROLODEX_PLATFORM_ID": name,
        "ROLODEX_KEYS_DIR": str(keys_dir),
        "ROLODEX_LOG_LEVEL": "WARNING",
    }
    log = (tmp / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return Instance(name, url, keys_dir, neo4j_uri, process)
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process.kill()
    raise AssertionError(
        f"instance {name} did not start:\n{(tmp / f'{name}.log').read_text()[-3000:]}"
    )


@pytest.fixture(scope="module")
def second_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
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


@pytest.fixture
def instances(
    neo4j_uri: str, second_neo4j: str, tmp_path: Path, clean_graph: None
) -> Iterator[tuple[Instance, Instance]]:
    with GraphDatabase.driver(second_neo4j, auth=("neo4j", TEST_NEO4J_PASSWORD)) as driver:
        driver.execute_query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n")
    alpha = _start("alpha", neo4j_uri, tmp_path)
    beta = _start("beta", second_neo4j, tmp_path)
    try:
        yield alpha, beta
    finally:
        for instance in (alpha, beta):
            instance.process.terminate()
            instance.process.wait(timeout=20)


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
                headers=alpha.token("per_ana", Role.MENTEE),
                json={"display_name": "Ana Alpha", "roles": ["mentee"], "skills": ["python"]},
            ),
            201,
        )
        ana = person["id"]
        for name in ("Carla Card", "Dev Contact"):
            _ok(
                http.post(
                    f"{alpha.url}/v1/people/{ana}/contacts",
                    headers=alpha.token(ana, Role.MENTEE),
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
                headers=alpha.token(ana, Role.MENTEE),
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
                headers=alpha.token(ana, Role.MENTEE),
                json={"audience": "beta"},
            ),
            201,
        )

        # Beta imports it (pushed by alpha's client at beta).
        imported = _ok(
            http.post(
                f"{beta.url}/v1/imports",
                headers=beta.partner("alpha"),
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
                headers=beta.token(ana_at_beta, Role.MENTEE),
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
                headers=beta.partner("alpha"),
                json={"audience": "alpha"},
            ),
            201,
        )
        people_before = alpha.count("MATCH (p:Person) RETURN count(p)")
        contacts_before = alpha.count("MATCH (c:Contact) RETURN count(c)")
        back = _ok(
            http.post(
                f"{alpha.url}/v1/imports",
                headers=alpha.partner("beta"),
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
