"""The operator CLI: `clients create` prints credentials once, `tokens issue` refuses production."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from tests.conftest import TEST_NEO4J_PASSWORD

runner = CliRunner()


@pytest.fixture
def cli_env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": TEST_NEO4J_PASSWORD,
        "ROLODEX_KEYS_DIR": str(settings.keys_dir),
        "ROLODEX_PUBLIC_URL": settings.public_url,
        "ROLODEX_ENVIRONMENT": "test",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_clients_create_prints_credentials_that_work(
    cli_env: dict[str, str], client: TestClient
) -> None:
    result = runner.invoke(
        cli,
        [
            "clients",
            "create",
            "--platform-id",
            "acme",
            "--name",
            "Acme",
            "--scopes",
            "bundles:read imports:write",
        ],
    )
    assert result.exit_code == 0, result.output
    credentials = json.loads(result.stdout)
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "bundles:read imports:write"


def test_clients_create_refuses_unknown_scopes(cli_env: dict[str, str]) -> None:
    result = runner.invoke(
        cli,
        ["clients", "create", "--platform-id", "acme", "--name", "Acme", "--scopes", "everything"],
    )
    assert result.exit_code != 0


def test_tokens_issue_prints_a_token_the_api_accepts(
    cli_env: dict[str, str], client: TestClient
) -> None:
    result = runner.invoke(cli, ["tokens", "issue", "--subject", "admin-1", "--role", "admin"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    principal = client.portal.call(client.app.state.authenticator.authenticate, token)  # type: ignore[attr-defined, union-attr]
    assert principal.subject == "admin-1"
    assert principal.administers_all


def test_tokens_issue_is_refused_in_production(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_ENVIRONMENT", "production")
    monkeypatch.setenv("NEO4J_PASSWORD", "a-real-production-password")
    result = runner.invoke(cli, ["tokens", "issue", "--subject", "x", "--role", "admin"])
    assert result.exit_code == 2
    assert "refused" in result.output
