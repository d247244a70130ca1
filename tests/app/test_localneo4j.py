"""`rolodex neo4j start|stop|status` on the suite's own server: idempotent start, data kept across restarts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from app.localneo4j.server import LocalNeo4j


@pytest.fixture
def server(test_server: LocalNeo4j | None) -> LocalNeo4j:
    if test_server is None:
        pytest.skip("running against an external Neo4j")
    return test_server


def _count_marker(server: LocalNeo4j) -> int:
    with GraphDatabase.driver(server.uri, auth=("neo4j", server.password)) as driver:
        records, _, _ = driver.execute_query("MATCH (m:RestartMarker) RETURN count(m) AS n")
        return int(records[0]["n"])


def test_second_start_leaves_one_server(server: LocalNeo4j) -> None:
    first = server.start()
    second = server.start()
    assert first.running
    assert second.running
    assert first.pid == second.pid
    launched = subprocess.run(
        ["pgrep", "-f", f"RolodexNeo4j {server.home.resolve()} "],
        capture_output=True,
        text=True,
        check=False,
    )
    assert launched.stdout.split() == [str(first.pid)]


def test_stop_then_start_keeps_the_data(server: LocalNeo4j) -> None:
    with GraphDatabase.driver(server.uri, auth=("neo4j", server.password)) as driver:
        driver.execute_query("CREATE (:RestartMarker {at: datetime()})")
    assert server.stop() is True
    assert server.status().running is False
    restarted = server.start()
    assert restarted.running
    assert _count_marker(server) == 1


def test_status_reports_where_it_runs(server: LocalNeo4j) -> None:
    status = server.status()
    assert status.running
    assert f"127.0.0.1:{server.port}" in status.describe()
    assert str(server.home) in status.describe()


def test_stop_of_a_stopped_server_says_so(tmp_path: Path) -> None:
    idle = LocalNeo4j(home=tmp_path / "none", port=1, password="x" * 8, cache_dir=tmp_path)
    assert idle.stop() is False
    assert idle.status().running is False
