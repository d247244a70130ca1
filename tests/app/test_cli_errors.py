"""Every `rolodex` error is one line on stderr and exit status 2, never a traceback
(app/cli/errors.py); the real console script is run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import Settings
from tests.conftest import TEST_NEO4J_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def rolodex(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": TEST_NEO4J_PASSWORD,
        "ROLODEX_KEYS_DIR": str(tmp_path / "keys"),
        "ROLODEX_ENVIRONMENT": "test",
        "ROLODEX_NEO4J_CONNECT_ATTEMPTS": "1",
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["preferences", "rollback", "--migration", "mig_nope"], "No migration with id 'mig_nope'"),
        (["preferences", "migrate", "--from", "/no/such/file.json"], "does not exist"),
        (["verify", "/no/such/bundle.jose"], "does not exist"),
        (["tokens", "issue", "--subject", "x", "--role", "bogus"], "'bogus'"),
        (["keys", "rotate", "--ring", "nope"], "ring must be one of"),
        (["no-such-command"], "No such command"),
    ],
)
def test_an_error_is_one_line_and_exit_2(env: dict[str, str], args: list[str], says: str) -> None:
    result = rolodex(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert says in lines[0]


def test_an_unreachable_database_is_one_line_too(env: dict[str, str]) -> None:
    result = rolodex("migrate", env={**env, "NEO4J_URI": "bolt://127.0.0.1:9"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: Neo4j at bolt://127.0.0.1:9")
