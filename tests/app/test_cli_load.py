"""`rolodex load FOLDER`: the documented CSV example loads; a bad file writes nothing.

The suite's Neo4j is not the local server `rolodex neo4j` manages (another port), so these runs
take the driver's bulk path and say so; tests/app/test_first_load.py covers the offline importer.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from graph.db import Graph
from tests.conftest import TEST_NEO4J_PASSWORD

runner = CliRunner()
DOC = Path(__file__).resolve().parents[2] / "docs" / "graph-model.md"


@pytest.fixture
def neo4j_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", settings.neo4j_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", TEST_NEO4J_PASSWORD)


def documented_example(folder: Path) -> None:
    """Write the `people.csv` and `knows.csv` examples of docs/graph-model.md into `folder`."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## First load from CSV files") :]
    for name in ("people.csv", "knows.csv"):
        found = re.search(rf"`{re.escape(name)}`:\n\n```\n(.*?)```", section, re.DOTALL)
        assert found, name
        (folder / name).write_text(found.group(1), encoding="utf-8")


async def load(folder: Path, *extra: str) -> Any:
    return await asyncio.to_thread(runner.invoke, cli, ["load", str(folder), *extra])


async def test_the_documented_example_loads_by_the_bulk_path(
    neo4j_env: None, graph: Graph, tmp_path: Path
) -> None:
    documented_example(tmp_path)
    result = await load(tmp_path)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["path"] == "driver bulk path"
    assert "not the running local Neo4j" in summary["reason"]
    assert (summary["nodes_created"], summary["relationships_created"]) == (2, 1)
    rows = await graph.query(
        "MATCH (a:Person {id: 'per_ana'})-[k:KNOWS]->(b:Person {id: 'per_bo'}) "
        "RETURN a.skills AS skills, a.capacity AS capacity, k.since AS since"
    )
    assert rows[0]["skills"] == ["python", "sql"]
    assert rows[0]["capacity"] == 3
    assert str(rows[0]["since"]) == "2019-03-01"
    again = json.loads((await load(tmp_path)).stdout.strip().splitlines()[-1])
    assert (again["nodes_created"], again["relationships_created"]) == (0, 0)


async def test_a_bad_file_writes_nothing(neo4j_env: None, graph: Graph, tmp_path: Path) -> None:
    documented_example(tmp_path)
    with (tmp_path / "knows.csv").open("a", encoding="utf-8") as out:
        out.write("ctc_2,per_bo,per_ana,manual,yesterday,peer,\n")
    result = await load(tmp_path)
    assert result.exit_code == 2
    assert "knows.csv line 3, created_at" in result.output
    rows = await graph.query("MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n")
    assert rows[0]["n"] == 0
