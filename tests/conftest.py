"""Test fixtures: the suite's own Neo4j server, a clean graph per test, and app clients.

Only tests whose fixtures reach Neo4j start it (and are marked `neo4j` at collection):
`pytest -m "not neo4j"` is the fast tier that needs no database.

The suite starts its own local Neo4j (own port and data folder, see `TEST_NEO4J_*`), so running the
tests never touches the server `make run` uses. Set `ROLODEX_TEST_NEO4J_URI` (plus
`ROLODEX_TEST_NEO4J_PASSWORD`) to run against another, disposable, server instead; every test
wipes the graph it finds.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.localneo4j.server import LocalNeo4j
from app.main import create_app
from app.settings import Settings
from auth.principals import Role
from auth.tokens import issue_access_token
from graph.db import Graph, connect
from graph.schema import migrate
from tests.support.fake_partner import FakePartner

TEST_NEO4J_PORT = int(os.environ.get("ROLODEX_TEST_NEO4J_PORT", "7697"))
TEST_NEO4J_HOME = Path(os.environ.get("ROLODEX_TEST_NEO4J_HOME", "var/neo4j-test"))
TEST_NEO4J_PASSWORD = os.environ.get("ROLODEX_TEST_NEO4J_PASSWORD", "rolodex-test-password")
EXTERNAL_URI = os.environ.get("ROLODEX_TEST_NEO4J_URI")


@pytest.fixture(scope="session")
def test_server() -> Iterator[LocalNeo4j | None]:
    """The suite's local Neo4j; started if not running, stopped at the end if we started it."""
    if EXTERNAL_URI:
        yield None
        return
    server = LocalNeo4j(
        home=TEST_NEO4J_HOME,
        port=TEST_NEO4J_PORT,
        password=TEST_NEO4J_PASSWORD,
        cache_dir=Path(os.environ.get("ROLODEX_CACHE_DIR", ".cache")),
        heap="1g",
        pagecache_mib=512,
    )
    was_running = server.status().running
    server.start()
    yield server
    if not was_running:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_uri(test_server: LocalNeo4j | None) -> str:
    return EXTERNAL_URI or (test_server.uri if test_server else "")


@pytest.fixture(scope="session")
def settings(neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment="test",
        neo4j_uri=neo4j_uri,
        neo4j_user="neo4j",
        neo4j_password=TEST_NEO4J_PASSWORD,
        neo4j_database="neo4j",
        neo4j_connect_attempts=3,
        public_url="http://testserver",
        log_level="WARNING",
        keys_dir=tmp_path_factory.mktemp("keys"),
    )


@pytest.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    """A graph handle for tests of the graph layer (one driver for the whole session)."""
    handle = await connect(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
    )
    await migrate(handle)
    yield handle
    await handle.close()


NEO4J_FIXTURE = "test_server"
"""Every fixture that reaches Neo4j depends on this one; a test whose fixtures do not is fast."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `neo4j` every test whose fixtures start the suite's Neo4j, so `-m "not neo4j"` runs
    the fast tier without it (tests that start Neo4j by themselves carry the mark explicitly)."""
    for item in items:
        if NEO4J_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture
async def empty_graph(graph: Graph) -> Graph:
    """The graph emptied (schema and its migration records kept)."""
    await graph.query(
        "MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n",
        write=True,
    )
    return graph


@pytest.fixture(autouse=True)
def clean_graph(request: pytest.FixtureRequest) -> None:
    """Every test that reaches Neo4j starts from an empty graph; the others never start it."""
    if NEO4J_FIXTURE in request.fixturenames:
        request.getfixturevalue("empty_graph")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An HTTP client for a fresh app instance, with its lifespan (driver, migrations) running."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


class TokenFactory:
    """Mints access tokens signed by a running app's own key ring, for tests."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings

    def token(
        self,
        subject: str,
        role: Role | str,
        *,
        programs: Iterable[str] = ("*",),
        ttl_seconds: int = 600,
    ) -> str:
        role = Role(role)
        return issue_access_token(
            self._client.app.state.keystore.access,  # type: ignore[attr-defined]
            issuer=self._settings.public_url,
            audience=self._settings.access_token_audience,
            subject=subject,
            role=role,
            ttl=timedelta(seconds=ttl_seconds),
            programs=programs if role is Role.ADMIN else (),
        )

    def partner(
        self, platform_id: str = "acme", scopes: Iterable[str] = ("bundles:read",)
    ) -> dict[str, str]:
        """`Authorization` headers of a partner platform's client holding `scopes`."""
        token = issue_access_token(
            self._client.app.state.keystore.access,  # type: ignore[attr-defined]
            issuer=self._settings.public_url,
            audience=self._settings.access_token_audience,
            subject=f"client_{platform_id}",
            role=Role.PARTNER,
            ttl=timedelta(minutes=5),
            scopes=scopes,
            platform_id=platform_id,
        )
        return {"Authorization": f"Bearer {token}"}

    def headers(self, subject: str, role: Role | str, **kwargs: Any) -> dict[str, str]:
        """`Authorization: Bearer …` headers for `subject` acting in `role`."""
        return {"Authorization": f"Bearer {self.token(subject, role, **kwargs)}"}


@pytest.fixture
def tokens(client: TestClient, settings: Settings) -> TokenFactory:
    return TokenFactory(client, settings)


@pytest.fixture
def acme(client: TestClient, tokens: TokenFactory) -> str:
    """A registered platform `acme` with a JWKS URL (for consent and export tests; no keys served)."""
    response = client.post(
        "/v1/admin/platforms",
        json={
            "id": "acme",
            "name": "Acme",
            "issuer": "https://acme.example",
            "jwks_url": "https://acme.example/jwks.json",
        },
        headers=tokens.headers("root", "admin"),
    )
    assert response.status_code == 201, response.text
    return "acme"


@pytest.fixture
def partner(client: TestClient, tokens: TokenFactory) -> Iterator[FakePartner]:
    """A partner platform (its own keys and loopback server), registered with the app."""
    fake = FakePartner("acme")
    response = client.post(
        "/v1/admin/platforms", json=fake.registration(), headers=tokens.headers("root", "admin")
    )
    assert response.status_code == 201, response.text
    yield fake
    fake.close()
