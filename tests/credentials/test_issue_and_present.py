"""Issuing the portable profile as an SD-JWT VC, and presenting parts of it back."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from credentials import sdjwt
from graph.db import Graph
from tests.conftest import TokenFactory
from tests.credentials.support import disclosure, holder, register_own_issuer, segment
from tests.support.person_graph import SUBJECT, build_person_graph


@pytest.fixture
async def subject(graph: Graph) -> str:
    await build_person_graph(graph, contacts=5)
    return SUBJECT


def test_credential_is_an_sd_jwt_vc_with_one_disclosure_per_item(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    credential = answer["credential"]
    assert credential.endswith("~")
    compact = sdjwt.split(credential)
    header, payload = segment(compact.jwt, 0), segment(compact.jwt, 1)
    assert header["typ"] == "dc+sd-jwt"
    assert header["alg"] == "ES256"
    assert header["kid"].startswith("documents-")
    assert (
        payload["vct"] == answer["vct"] == "https://testserver/v1/credential-types/portable-profile"
    )
    assert payload["_sd_alg"] == "sha-256"
    assert set(payload["cnf"]["jwk"]) == {"kty", "crv", "x", "y"}
    assert set(payload["status"]["status_list"]) == {"idx", "uri"}
    for name in ("iss", "iat", "exp"):
        assert name in payload
    # 6 contacts (5 cards + 1 person), each its own array-element disclosure, plus decoys
    elements = [d for d in map(disclosure, compact.disclosures) if len(d) == 2]
    contacts = [d[1] for d in elements if "fn" in d[1]]
    assert len(contacts) == 6
    assert len(payload["contacts"]) > 6
    assert all(set(item) == {"..."} for item in payload["contacts"])
    names = {d[1] for d in map(disclosure, compact.disclosures) if len(d) == 3}
    assert {"display_name", "headline", "skills"} <= names
    assert len(payload["profile"]["_sd"]) > len(names)
    # nothing in clear text
    assert "Card Person" not in str(payload)
    assert "Learning graphs" not in str(payload)


def test_wallet_file_is_private(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    alice = holder(client, tokens, subject, tmp_path)
    alice.issue()
    assert stat.S_IMODE(alice.wallet.path.stat().st_mode) == 0o600


def test_presentation_of_a_few_items_imports_only_those(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    register_own_issuer(client, tokens)
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    presentation = alice.present(
        answer["credential_id"], ["contacts[1]", "mentorships[0]", "profile.headline"]
    )
    response = alice.import_(presentation)
    assert response.status_code == 201, response.text
    report = response.json()
    assert sorted(report["disclosed"]) == ["contacts[0]", "mentorships[0]", "profile.headline"]
    # the holder key becomes the presenter's identity at the issuer; the mentorship came from
    # this very instance, so it is recognised (portability's round-trip rule), not duplicated
    assert report["created"] == {"identities": 1}
    assert report["unchanged"]["mentorships"] == 1
    assert report["person_id"] == subject
    # idempotent: the same items again, with a fresh nonce, change nothing
    again = alice.import_(alice.present(answer["credential_id"], ["mentorships[0]"]))
    assert again.status_code == 201, again.text
    assert again.json()["created"] == {}
    assert again.json()["unchanged"]["mentorships"] == 1
    assert again.json()["unchanged"]["identities"] == 1


def test_revoking_flips_the_status_bit_and_refuses_presentations(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    register_own_issuer(client, tokens)
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    listed = client.get("/v1/me/credentials", headers=alice.headers).json()
    assert [item["id"] for item in listed["items"]] == [answer["credential_id"]]
    assert listed["items"][0]["status"] == "valid"
    revoked = client.delete(f"/v1/me/credentials/{answer['credential_id']}", headers=alice.headers)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    response = alice.import_(alice.present(answer["credential_id"], ["contacts[0]"]))
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "https://rolodex.dev/problems/credential-revoked"
