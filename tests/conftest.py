"""Test fixtures: the suite's own Neo4j server, a clean graph per test, and app clients.

The suite starts its own local Neo4j (own port and data folder, see `TEST_NEO4J_*`), so running the
tests never touches the server `make run` uses. Set `ROLODEX_TEST_NEO4J_URI` (plus
`ROLODEX_TEST_NEO4J_PASSWORD`) to run against another, disposable, server instead; every test
wipes the graph it finds.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.localneo4j.server import LocalNeo4j
from app.main import create_app
from app.settings import Settings
from graph.db import Graph, connect
from graph.schema import migrate

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


@pytest.fixture(autouse=True)
async def clean_graph(graph: Graph) -> None:
    """Every test starts from an empty graph (schema and its migration records kept)."""
    await graph.query(
        "MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n",
        write=True,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An HTTP client for a fresh app instance, with its lifespan (driver, migrations) running."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client
