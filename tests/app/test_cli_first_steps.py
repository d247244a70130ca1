"""A new user's first commands: `rolodex demo` names the demo people and how to get a token,
`rolodex tokens issue --person NAME` finds one by name (a clear error for none or several)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from graph.db import Graph
from graph.demo import DEMO_PEOPLE
from tests.conftest import TEST_NEO4J_PASSWORD

runner = CliRunner()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": TEST_NEO4J_PASSWORD,
        "ROLODEX_KEYS_DIR": str(settings.keys_dir),
        "ROLODEX_PUBLIC_URL": settings.public_url,
        "ROLODEX_ENVIRONMENT": "test",
    }.items():
        monkeypatch.setenv(name, value)


async def test_demo_prints_the_demo_people_and_how_to_get_a_token(
    cli_env: None, graph: Graph
) -> None:
    result = await asyncio.to_thread(runner.invoke, cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "demo graph loaded" in result.stdout
    for person in DEMO_PEOPLE:
        line = next(line for line in result.stdout.splitlines() if person["id"] in line)
        assert person["display_name"] in line
        assert ", ".join(person["roles"]) in line
    assert 'rolodex tokens issue --person "Ava"' in result.stdout
    assert "--role admin" in result.stdout
    # A second run skips loading but still lists the people.
    again = await asyncio.to_thread(runner.invoke, cli, ["demo"])
    assert again.exit_code == 0
    assert "skipped" in again.stdout
    assert "demo-ava" in again.stdout


async def test_tokens_issue_finds_a_person_by_name(
    cli_env: None, graph: Graph, client: TestClient
) -> None:
    await asyncio.to_thread(runner.invoke, cli, ["demo"])
    result = await asyncio.to_thread(runner.invoke, cli, ["tokens", "issue", "--person", "Ava"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["display_name"] == "Ava Mentee"
    # Case does not matter; the role can be given.
    mentor = await asyncio.to_thread(
        runner.invoke, cli, ["tokens", "issue", "--person", "ada mentor", "--role", "mentor"]
    )
    assert mentor.exit_code == 0, mentor.output


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zed", "no person's name contains 'Zed'"),
        ("Mentee", "matches several people"),
    ],
)
async def test_tokens_issue_by_name_explains_none_or_several(
    cli_env: None, graph: Graph, name: str, expected: str
) -> None:
    await asyncio.to_thread(runner.invoke, cli, ["demo"])
    result = await asyncio.to_thread(runner.invoke, cli, ["tokens", "issue", "--person", name])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if name == "Mentee":
        assert "demo-linus" in result.stderr
        assert "demo-ava" in result.stderr


def test_tokens_issue_help_offers_only_the_roles_it_issues(cli_env: None) -> None:
    result = runner.invoke(cli, ["tokens", "issue", "--help"])
    assert "mentee|mentor|admin" in result.stdout
    assert "partner" not in result.stdout
    refused = runner.invoke(cli, ["tokens", "issue", "--subject", "x", "--role", "partner"])
    assert refused.exit_code == 2
