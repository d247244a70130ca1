"""Independent implementations verify our credentials and present them back to our importer:
the IETF reference implementation (PyPI `sd-jwt`) and the npm `@sd-jwt/sd-jwt-vc` family."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jwcrypto.jwk import JWK
from sd_jwt.holder import SDJWTHolder
from sd_jwt.verifier import SDJWTVerifier

from credentials import sdjwt
from graph.db import Graph
from tests.conftest import TokenFactory
from tests.credentials.support import Holder, holder, register_own_issuer, segment
from tests.support.person_graph import SUBJECT, build_person_graph

JS = Path(__file__).resolve().parents[1] / "js" / "sd-jwt-vc.mjs"


@pytest.fixture
async def subject(graph: Graph) -> str:
    await build_person_graph(graph, contacts=4)
    return SUBJECT


def _node(*args: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "Node.js is needed for the interop test"
    return subprocess.run(
        [node, str(JS), *args], capture_output=True, text=True, timeout=60, check=False
    )


def _issuer_key(client: TestClient) -> Any:
    metadata = client.get("/.well-known/jwt-vc-issuer").json()
    keys = {key["kid"]: key for key in metadata["jwks"]["keys"]}

    def find(issuer: str, header: dict[str, Any]) -> JWK:
        assert issuer == metadata["issuer"]
        return JWK.from_json(json.dumps(keys[header["kid"]]))

    return find


def _holder_jwk(alice: Holder) -> dict[str, str]:
    return dict(next(iter(alice.wallet.keys.values())))


def _first_real_position(credential: str, section: str) -> int:
    compact = sdjwt.split(credential)
    digests = {sdjwt.digest(d) for d in compact.disclosures}
    elements = segment(compact.jwt, 1)[section]
    return next(i for i, e in enumerate(elements) if e["..."] in digests)


def test_reference_implementation_verifies_our_presentation(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    presentation = alice.wallet.present(
        answer["credential_id"],
        ["contacts[2]", "profile.headline"],
        aud="https://verifier.example",
        nonce="n-123",
    )
    verifier = SDJWTVerifier(
        presentation,
        _issuer_key(client),
        expected_aud="https://verifier.example",
        expected_nonce="n-123",
    )
    claims = verifier.get_verified_payload()
    assert claims["profile"] == {"headline": "Learning graphs"}
    assert len(claims["contacts"]) == 1
    assert claims["contacts"][0]["fn"].startswith("Card Person")
    assert claims.get("mentorships") == []


def test_reference_implementation_presentation_is_accepted_by_our_importer(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    register_own_issuer(client, tokens)
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    position = _first_real_position(answer["credential"], "mentorships")
    wallet = SDJWTHolder(answer["credential"])
    fresh = alice.nonce()
    wallet.create_presentation(
        {"mentorships": [None] * position + [True], "profile": {"display_name": True}},
        nonce=fresh["nonce"],
        aud=fresh["aud"],
        holder_key=JWK.from_json(json.dumps(_holder_jwk(alice))),
        sign_alg="ES256",
    )
    response = alice.import_(wallet.sd_jwt_presentation)
    assert response.status_code == 201, response.text
    assert sorted(response.json()["disclosed"]) == ["mentorships[0]", "profile.display_name"]
    # the credential came from this instance: its mentorship is recognised, not duplicated
    assert response.json()["created"] == {"identities": 1}
    assert response.json()["unchanged"]["mentorships"] == 1


def test_npm_sd_jwt_vc_verifies_our_presentation_and_status_list(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    presentation = alice.wallet.present(
        answer["credential_id"],
        ["contacts[0]", "sessions[1]"],
        aud="https://verifier.example",
        nonce="n-9",
    )
    status_uri = segment(answer["credential"].split("~")[0], 1)["status"]["status_list"]
    status_list = client.get(status_uri["uri"].removeprefix("https://testserver"))
    assert status_list.headers["content-type"] == "application/statuslist+jwt"
    files = {
        "presentation": presentation,
        "metadata": json.dumps(client.get("/.well-known/jwt-vc-issuer").json()),
        "status": status_list.text,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    verified = _node(
        "verify",
        str(tmp_path / "presentation"),
        str(tmp_path / "metadata"),
        str(tmp_path / "status"),
        "https://verifier.example",
        "n-9",
    )
    assert verified.returncode == 0, verified.stderr
    result = json.loads(verified.stdout)
    assert len(result["payload"]["contacts"]) == 1
    assert len(result["payload"]["sessions"]) == 1
    assert result["kb"]["aud"] == "https://verifier.example"
    assert _node("status", str(tmp_path / "status"), str(status_uri["idx"])).stdout == "0"
    # revoked: the npm status list reads the flipped bit, and its verifier refuses
    client.delete(f"/v1/me/credentials/{answer['credential_id']}", headers=alice.headers)
    (tmp_path / "status").write_text(
        client.get(status_uri["uri"].removeprefix("https://testserver")).text
    )
    assert _node("status", str(tmp_path / "status"), str(status_uri["idx"])).stdout == "1"
    refused = _node(
        "verify",
        str(tmp_path / "presentation"),
        str(tmp_path / "metadata"),
        str(tmp_path / "status"),
        "https://verifier.example",
        "n-9",
    )
    assert refused.returncode == 1
    assert "Status is not valid" in refused.stderr


def test_npm_sd_jwt_vc_presentation_is_accepted_by_our_importer(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    register_own_issuer(client, tokens)
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    (tmp_path / "credential").write_text(answer["credential"])
    (tmp_path / "key").write_text(json.dumps(_holder_jwk(alice)))
    position = _first_real_position(answer["credential"], "outcomes")
    fresh = alice.nonce()
    presented = _node(
        "present",
        str(tmp_path / "credential"),
        str(tmp_path / "key"),
        # the npm frame indexes the raw array, decoys included
        json.dumps({"outcomes": {str(position): True}, "profile": {"skills": True}}),
        fresh["aud"],
        fresh["nonce"],
    )
    assert presented.returncode == 0, presented.stderr
    response = alice.import_(presented.stdout)
    assert response.status_code == 201, response.text
    assert sorted(response.json()["disclosed"]) == ["outcomes[0]", "profile.skills"]
    # the credential came from this instance: its measurement is recognised, not duplicated
    assert response.json()["created"] == {"identities": 1}
    assert response.json()["unchanged"]["outcomes"] == 1
