"""Status lists, issuer and type metadata, erasure, and the wallet and verify commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.cli import verify as verify_cli
from credentials import statuslist
from credentials.resolvers import status_from_token
from graph.db import Graph
from tests.conftest import TokenFactory
from tests.credentials.support import holder, segment
from tests.support.person_graph import SUBJECT, build_person_graph


@pytest.fixture
async def subject(graph: Graph) -> str:
    await build_person_graph(graph, contacts=2)
    return SUBJECT


def _status(client: TestClient, credential: str) -> tuple[dict[str, Any], int]:
    reference = segment(credential.split("~")[0], 1)["status"]["status_list"]
    response = client.get(reference["uri"].removeprefix("https://testserver"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == statuslist.MEDIA_TYPE
    header, claims = segment(response.text, 0), segment(response.text, 1)
    assert header["typ"] == "statuslist+jwt"
    assert claims["sub"] == reference["uri"]
    assert {"iat", "exp", "ttl"} <= set(claims)
    return claims, int(reference["idx"])


def test_status_list_bit_flips_on_revocation_and_on_erasure(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    alice = holder(client, tokens, subject, tmp_path)
    first, second = alice.issue(), alice.issue()
    claims, idx = _status(client, first["credential"])
    assert claims["status_list"]["bits"] == 1
    assert statuslist.status_at(claims["status_list"], idx) == statuslist.VALID
    client.delete(f"/v1/me/credentials/{first['credential_id']}", headers=alice.headers)
    claims, idx = _status(client, first["credential"])
    assert statuslist.status_at(claims["status_list"], idx) == statuslist.INVALID
    claims, idx2 = _status(client, second["credential"])
    assert statuslist.status_at(claims["status_list"], idx2) == statuslist.VALID
    erased = client.delete(f"/v1/people/{subject}", headers=tokens.headers("root", "admin"))
    assert erased.status_code in (200, 204), erased.text
    claims, idx2 = _status(client, second["credential"])
    assert statuslist.status_at(claims["status_list"], idx2) == statuslist.INVALID


def test_revoking_someone_elses_credential_is_404(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    answer = holder(client, tokens, subject, tmp_path).issue()
    response = client.delete(
        f"/v1/me/credentials/{answer['credential_id']}",
        headers=tokens.headers("per_mentor", "mentor"),
    )
    assert response.status_code == 404


def test_issuing_refuses_a_private_or_off_curve_holder_key(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    alice = holder(client, tokens, subject, tmp_path)
    private = alice.wallet.keygen()
    key = next(iter(alice.wallet.keys.values()))
    with_d = {k: key[k] for k in ("kty", "crv", "x", "y", "d")}
    off_curve = {**{k: private[k] for k in ("kty", "crv", "x")}, "y": private["x"]}
    for bad in (with_d, off_curve):
        response = client.post(
            "/v1/me/credentials", json={"holder_jwk": bad}, headers=alice.headers
        )
        assert response.status_code == 422, response.text
    assert client.get("/v1/me/credentials", headers=alice.headers).json()["items"] == []


def test_indexes_are_spread_at_random(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    alice = holder(client, tokens, subject, tmp_path)
    indexes = [_status(client, alice.issue()["credential"])[1] for _ in range(5)]
    assert indexes != sorted(indexes) or len(set(indexes)) == 5
    assert max(indexes) > 5  # not handed out in order from 0


def test_issuer_and_type_metadata_are_public(client: TestClient) -> None:
    issuer = client.get("/.well-known/jwt-vc-issuer").json()
    assert issuer["issuer"] == "https://testserver"
    assert all(key["kid"].startswith("documents-") for key in issuer["jwks"]["keys"])
    vct = client.get("/v1/credential-types/portable-profile").json()
    assert vct["vct"] == "https://testserver/v1/credential-types/portable-profile"
    paths = [claim["path"] for claim in vct["claims"]]
    assert ["contacts", None] in paths
    assert ["profile", "headline"] in paths


def test_wallet_commands_and_verify_of_a_presentation(
    client: TestClient,
    tokens: TokenFactory,
    subject: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner = CliRunner()
    wallet = tmp_path / "wallet.json"
    keygen = runner.invoke(cli, ["wallet", "keygen", "--wallet", str(wallet)])
    assert keygen.exit_code == 0, keygen.output
    public = json.loads(keygen.stdout)
    assert "d" not in public
    assert oct(wallet.stat().st_mode & 0o777) == "0o600"
    alice = holder(client, tokens, subject, tmp_path)
    issued = client.post(
        "/v1/me/credentials",
        json={"holder_jwk": {k: public[k] for k in ("kty", "crv", "x", "y")}},
        headers=alice.headers,
    )
    (tmp_path / "issued.json").write_text(issued.text)
    received = runner.invoke(
        cli, ["wallet", "receive", str(tmp_path / "issued.json"), "--wallet", str(wallet)]
    )
    assert received.exit_code == 0, received.output
    credential_id = received.stdout.strip()
    presented = runner.invoke(
        cli,
        [
            "wallet", "present", "--wallet", str(wallet), "--credential", credential_id,
            "--disclose", "contacts[1] profile.headline", "--aud", "https://v.example", "--nonce", "abc",
        ],
    )  # fmt: skip
    assert presented.exit_code == 0, presented.output
    (tmp_path / "presentation").write_text(presented.stdout)
    (tmp_path / "jwks.json").write_text(
        json.dumps(client.get("/.well-known/jwt-vc-issuer").json()["jwks"])
    )

    async def status(self: Any, issuer: str, uri: str, index: int) -> int:
        token = client.get(uri.removeprefix("https://testserver")).text
        return await status_from_token(token, issuer, uri, index, self.keys)

    monkeypatch.setattr(verify_cli._FetchedStatusLists, "status", status)
    args = ["verify", str(tmp_path / "presentation"), "--jwks", str(tmp_path / "jwks.json")]
    verified = runner.invoke(cli, [*args, "--audience", "https://v.example", "--nonce", "abc"])
    assert verified.exit_code == 0, verified.output
    summary = json.loads(verified.stdout)
    assert sorted(summary["disclosed"]) == ["contacts[0]", "profile.headline"]
    wrong = runner.invoke(cli, [*args, "--audience", "https://other.example"])
    assert wrong.exit_code == 1
    assert "audience-mismatch" in wrong.output
