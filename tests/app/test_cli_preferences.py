"""`rolodex preferences migrate --dry-run`, apply and rollback, as an operator runs them.

The CLI runs its own event loop, so the tests call it from a worker thread.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from graph.db import Graph
from tests.conftest import TEST_NEO4J_PASSWORD

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "legacy_preferences.json"
runner = CliRunner()


@pytest.fixture
async def people(graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", settings.neo4j_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", TEST_NEO4J_PASSWORD)
    await graph.query(
        "UNWIND $ids AS id CREATE (:Person {id: id, discoverable: false})",
        {"ids": [f"per_legacy{n:02d}" for n in range(1, 11)]},
        write=True,
    )


async def test_dry_run_then_apply_then_rollback(people: None, graph: Graph) -> None:
    dry = await asyncio.to_thread(
        runner.invoke, cli, ["preferences", "migrate", "--from", str(FIXTURE), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["status"] == "dry-run"
    assert (await graph.query("MATCH (m:PreferenceMigration) RETURN count(m) AS n"))[0]["n"] == 0

    applied = await asyncio.to_thread(
        runner.invoke, cli, ["preferences", "migrate", "--from", str(FIXTURE)]
    )
    report = json.loads(applied.stdout)
    assert report["status"] == "applied"
    assert (await graph.query("MATCH (p:Person {id: 'per_legacy01'}) RETURN p.discoverable AS d"))[
        0
    ]["d"] is True

    rolled = await asyncio.to_thread(
        runner.invoke, cli, ["preferences", "rollback", "--migration", report["migration_id"]]
    )
    assert json.loads(rolled.stdout)["restored"] == report["outcomes"]["changed"]
    assert json.loads(rolled.stdout)["status"] == "rolled-back"

    again = await asyncio.to_thread(
        runner.invoke, cli, ["preferences", "rollback", "--migration", report["migration_id"]]
    )
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout)
    assert second["status"] == "already-rolled-back"
    assert second["restored"] == 0
    assert second["rolled_back_at"]
    assert "already rolled back" in again.stderr
    assert (await graph.query("MATCH (p:Person {id: 'per_legacy01'}) RETURN p.discoverable AS d"))[
        0
    ]["d"] is False


async def test_a_broken_file_exits_2(people: None, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"not": "a list"}')
    result = await asyncio.to_thread(
        runner.invoke, cli, ["preferences", "migrate", "--from", str(broken), "--dry-run"]
    )
    assert result.exit_code == 2
