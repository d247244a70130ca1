"""`rolodex verify`: offline verification of a bundle file against a JWKS file or URL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.main import create_app
from app.settings import Settings
from auth.principals import Role
from auth.tokens import issue_access_token
from graph.db import Graph
from tests.conftest import TokenFactory
from tests.support.http_receiver import HttpReceiver
from tests.support.person_graph import SUBJECT, build_person_graph

runner = CliRunner()


@pytest.fixture
async def files(
    client: TestClient, tokens: TokenFactory, graph: Graph, tmp_path: Path
) -> dict[str, Path]:
    await build_person_graph(graph)
    response = client.post(
        f"/v1/people/{SUBJECT}/bundles",
        json={"audience": "self", "scopes": ["profile", "contacts"]},
        headers=tokens.headers(SUBJECT, "mentee"),
    )
    bundle = response.json()["bundle"]
    paths = {
        "bundle": tmp_path / "bundle.jose",
        "jwks": tmp_path / "jwks.json",
        "tampered": tmp_path / "tampered.jose",
    }
    paths["bundle"].write_text(bundle)
    paths["jwks"].write_text(json.dumps(client.get("/.well-known/jwks.json").json()))
    header, payload, signature = bundle.split(".")
    paths["tampered"].write_text(f"{header}.{payload}.{signature[:-4]}AAAA")
    return paths


def test_a_good_bundle_prints_its_summary(files: dict[str, Path]) -> None:
    result = runner.invoke(
        cli, ["verify", str(files["bundle"]), "--jwks", str(files["jwks"]), "--audience", "self"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["subject"] == SUBJECT
    assert summary["issuer"] == "http://testserver"
    assert summary["audience"] == "self"
    assert summary["scopes"] == ["contacts", "profile"]
    assert summary["items"] == {"profile": 1, "contacts": 4}
    assert summary["expires_at"]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--audience", "acme"], "audience-mismatch"),
    ],
)
def test_wrong_audience_fails(files: dict[str, Path], args: list[str], reason: str) -> None:
    result = runner.invoke(
        cli, ["verify", str(files["bundle"]), "--jwks", str(files["jwks"]), *args]
    )
    assert result.exit_code == 1
    assert reason in result.output


def test_a_tampered_bundle_fails(files: dict[str, Path]) -> None:
    result = runner.invoke(cli, ["verify", str(files["tampered"]), "--jwks", str(files["jwks"])])
    assert result.exit_code == 1
    assert "signature-invalid" in result.output


def test_a_foreign_jwks_fails_with_key_not_found(files: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"keys": []}))
    result = runner.invoke(cli, ["verify", str(files["bundle"]), "--jwks", str(other)])
    assert result.exit_code == 1
    assert "key-not-found" in result.output


def test_jwks_from_a_url(files: dict[str, Path]) -> None:
    jwks = json.loads(files["jwks"].read_text())
    server = HttpReceiver(json_body=lambda: jwks)
    try:
        refused = runner.invoke(
            cli,
            [
                "verify",
                str(files["bundle"]),
                "--jwks",
                f"{server.url}/jwks.json",
                "--no-allow-http-loopback",
            ],
        )
        allowed = runner.invoke(
            cli,
            [
                "verify",
                str(files["bundle"]),
                "--jwks",
                f"{server.url}/jwks.json",
                "--allow-http-loopback",
            ],
        )
    finally:
        server.close()
    assert refused.exit_code == 2
    assert allowed.exit_code == 0, allowed.output


@pytest.fixture
def local_instance(settings: Settings, graph: Graph) -> Iterator[tuple[TestClient, str]]:
    """An instance whose public URL is a loopback http address serving its own JWKS, as
    `make run` is; yields its client and the URL."""
    holder: dict[str, TestClient] = {}
    server = HttpReceiver(json_body=lambda: holder["client"].get("/.well-known/jwks.json").json())
    local = settings.model_copy(update={"public_url": server.url})
    try:
        with TestClient(create_app(local)) as client:
            holder["client"] = client
            yield client, server.url
    finally:
        server.close()


async def _own_bundle(client: TestClient, graph: Graph, issuer: str, path: Path) -> Path:
    await build_person_graph(graph)
    keystore = client.app.state.keystore  # type: ignore[attr-defined]
    token = issue_access_token(
        keystore.access,
        issuer=issuer,
        audience=issuer,
        subject=SUBJECT,
        role=Role.MENTEE,
        ttl=timedelta(minutes=5),
    )
    response = client.post(
        f"/v1/people/{SUBJECT}/bundles",
        json={"audience": "self", "scopes": ["profile"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    await asyncio.to_thread(path.write_text, response.json()["bundle"])
    return path


async def test_verify_file_works_against_the_local_instance_in_development(
    local_instance: tuple[TestClient, str],
    graph: Graph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`rolodex verify FILE` as the README shows it: no --jwks, no flag; the issuer is
    http://127.0.0.1:…, which development accepts and production refuses."""
    client, url = local_instance
    bundle = await _own_bundle(client, graph, url, tmp_path / "bundle.jose")
    monkeypatch.delenv("ROLODEX_ENVIRONMENT", raising=False)
    result = await asyncio.to_thread(runner.invoke, cli, ["verify", str(bundle)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["issuer"] == url

    monkeypatch.setenv("ROLODEX_ENVIRONMENT", "production")
    monkeypatch.setenv("NEO4J_PASSWORD", "a-production-secret")
    refused = await asyncio.to_thread(runner.invoke, cli, ["verify", str(bundle)])
    assert refused.exit_code == 2
    assert "must use https" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
