"""The attacker's corpus: every tampered or misused presentation is refused with its own problem
type, and the graph is left exactly as it was. Also: a stranger holding someone's credential
file but not their key cannot import it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credentials import sdjwt
from credentials.sdjwt import Compact
from credentials.wallet import Wallet, WalletError, key_binding_jwt
from graph.db import Graph
from portability.documents import sign_document
from tests.conftest import TokenFactory
from tests.credentials.support import Holder, holder, register_own_issuer, segment
from tests.http import problem
from tests.support.person_graph import SUBJECT, build_person_graph

PROBLEMS = "https://rolodex.dev/problems/"


@pytest.fixture
async def subject(graph: Graph) -> str:
    await build_person_graph(graph, contacts=3)
    await graph.query(
        "CREATE (:Person {id: 'per_bob', display_name: 'Bob', roles: ['mentee']})", write=True
    )
    return SUBJECT


async def _snapshot(graph: Graph) -> list[str]:
    rows = await graph.query(
        # refused-import counters and rate-limit counters are about no one (app.refusals)
        "MATCH (n) WHERE NOT n:ImportRefusals AND NOT n:RateCounter "
        "OPTIONAL MATCH (n)-[r]->(m) "
        "RETURN labels(n) AS labels, properties(n) AS props, type(r) AS rel, m.id AS target"
    )
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)


def _private_key(alice: Holder) -> dict[str, str]:
    return next(iter(alice.wallet.keys.values()))


def _rebind(alice: Holder, jwt: str, disclosures: list[str], **claims: Any) -> str:
    """Sign a fresh KB-JWT with the holder's key over whatever SD-JWT the attacker built."""
    fresh = alice.nonce()
    sd = Compact(jwt, disclosures, None)
    kb_claims = {"aud": fresh["aud"], "nonce": fresh["nonce"], **claims}
    kb = key_binding_jwt(sd.sd_jwt, _private_key(alice), **kb_claims)
    return Compact(jwt, disclosures, kb).serialize()


def _resign(client: TestClient, jwt: str, *, typ: str = "dc+sd-jwt", **changes: Any) -> str:
    payload = {**segment(jwt, 1), **changes}
    keystore = client.app.state.keystore  # type: ignore[attr-defined]
    return sign_document(keystore, json.dumps(payload).encode(), typ)


def _with_alg_none(jwt: str) -> str:
    header = sdjwt.b64url(json.dumps({"alg": "none", "typ": "dc+sd-jwt"}).encode())
    return f"{header}.{jwt.split('.')[1]}."


Attack = Callable[[TestClient, Holder, dict[str, Any], Graph], Any]


def _absent_digest(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    selected = alice.wallet.present(answer["credential_id"], ["contacts[0]"], aud="x", nonce="x")
    compact = sdjwt.split(selected)
    forged = sdjwt.encode_disclosure({"id": "ctc_forged", "kind": "card", "fn": "Mallory"})
    return _rebind(alice, compact.jwt, [*compact.disclosures, forged])


def _duplicated(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    compact = sdjwt.split(
        alice.wallet.present(answer["credential_id"], ["contacts[0]"], aud="x", nonce="x")
    )
    return _rebind(alice, compact.jwt, [*compact.disclosures, compact.disclosures[0]])


def _altered(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    compact = sdjwt.split(
        alice.wallet.present(answer["credential_id"], ["contacts[0]"], aud="x", nonce="x")
    )
    salt, value = json.loads(sdjwt.b64url_decode(compact.disclosures[0]))
    value["fn"] = "Someone Important"
    altered = sdjwt.b64url(json.dumps([salt, value]).encode())
    return _rebind(alice, compact.jwt, [altered])


def _other_key(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    compact = sdjwt.split(
        alice.wallet.present(answer["credential_id"], ["contacts[0]"], aud="x", nonce="x")
    )
    other = Wallet.open(alice.wallet.path.with_name("other.json"))
    other.keygen()
    fresh = alice.nonce()
    sd = Compact(compact.jwt, compact.disclosures, None)
    kb = key_binding_jwt(
        sd.sd_jwt, next(iter(other.keys.values())), aud=fresh["aud"], nonce=fresh["nonce"]
    )
    return Compact(compact.jwt, compact.disclosures, kb).serialize()


def _wrong_aud(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    fresh = alice.nonce()
    return alice.wallet.present(
        answer["credential_id"],
        ["contacts[0]"],
        aud="https://elsewhere.example",
        nonce=fresh["nonce"],
    )


def _reused_nonce(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    presentation = alice.present(answer["credential_id"], ["contacts[0]"])
    assert alice.import_(presentation).status_code == 201
    return presentation


async def _expire_nonces(graph: Graph) -> None:
    await graph.query(
        "MATCH (n:PresentationNonce) SET n.expires_at = $past",
        {"past": datetime.now(UTC) - timedelta(minutes=1)},
        write=True,
    )


def _wrong_sd_hash(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    compact = sdjwt.split(
        alice.wallet.present(answer["credential_id"], ["contacts[0]"], aud="x", nonce="x")
    )
    fresh = alice.nonce()
    other_sd = Compact(compact.jwt, [], None)  # signs the SD-JWT without the disclosure
    kb = key_binding_jwt(
        other_sd.sd_jwt, _private_key(alice), aud=fresh["aud"], nonce=fresh["nonce"]
    )
    return Compact(compact.jwt, compact.disclosures, kb).serialize()


def _revoked(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    presentation = alice.present(answer["credential_id"], ["contacts[0]"])
    client.delete(f"/v1/me/credentials/{answer['credential_id']}", headers=alice.headers)
    return presentation


def _expired(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    compact = sdjwt.split(
        alice.wallet.present(answer["credential_id"], ["contacts[0]"], aud="x", nonce="x")
    )
    past = int(time.time()) - 3600
    return _rebind(
        alice, _resign(client, compact.jwt, exp=past, iat=past - 60), compact.disclosures
    )


def _wrong_typ(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    compact = sdjwt.split(
        alice.wallet.present(answer["credential_id"], ["contacts[0]"], aud="x", nonce="x")
    )
    return _rebind(alice, _resign(client, compact.jwt, typ="vc+sd-jwt"), compact.disclosures)


def _alg_none(client: TestClient, alice: Holder, answer: dict[str, Any], graph: Graph) -> str:
    compact = sdjwt.split(
        alice.wallet.present(answer["credential_id"], ["contacts[0]"], aud="x", nonce="x")
    )
    return _rebind(alice, _with_alg_none(compact.jwt), compact.disclosures)


CORPUS: dict[str, tuple[Attack, int, str]] = {
    "digest absent": (_absent_digest, 422, "disclosure-unknown"),
    "duplicated disclosure": (_duplicated, 422, "disclosure-duplicated"),
    "altered disclosure": (_altered, 422, "disclosure-unknown"),
    "KB-JWT by another key": (_other_key, 403, "key-binding-signature-invalid"),
    "wrong aud": (_wrong_aud, 422, "audience-mismatch"),
    "reused nonce": (_reused_nonce, 409, "nonce-reused"),
    "wrong sd_hash": (_wrong_sd_hash, 422, "sd-hash-mismatch"),
    "revoked credential": (_revoked, 403, "credential-revoked"),
    "expired credential": (_expired, 422, "credential-expired"),
    "typ not dc+sd-jwt": (_wrong_typ, 400, "credential-type-mismatch"),
    "alg none": (_alg_none, 400, "algorithm-not-allowed"),
}


@pytest.mark.parametrize("case", list(CORPUS))
async def test_tampered_presentations_are_refused_and_write_nothing(
    case: str, client: TestClient, tokens: TokenFactory, subject: str, graph: Graph, tmp_path: Path
) -> None:
    register_own_issuer(client, tokens)
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    attack, status, slug = CORPUS[case]
    presentation = attack(client, alice, answer, graph)
    before = await _snapshot(graph)
    body = problem(alice.import_(presentation), status)
    assert body["type"] == PROBLEMS + slug, body
    assert await _snapshot(graph) == before


async def test_expired_nonce_is_refused_and_writes_nothing(
    client: TestClient, tokens: TokenFactory, subject: str, graph: Graph, tmp_path: Path
) -> None:
    register_own_issuer(client, tokens)
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    presentation = alice.present(answer["credential_id"], ["contacts[0]"])
    await _expire_nonces(graph)
    before = await _snapshot(graph)
    body = problem(alice.import_(presentation), 422)
    assert body["type"] == PROBLEMS + "nonce-expired"
    assert await _snapshot(graph) == before


async def test_a_stranger_with_the_credential_file_but_not_the_key_cannot_import_it(
    client: TestClient, tokens: TokenFactory, subject: str, graph: Graph, tmp_path: Path
) -> None:
    register_own_issuer(client, tokens)
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    bob = holder(client, tokens, "per_bob", tmp_path)
    bob.wallet.keygen()
    with pytest.raises(WalletError):
        bob.wallet.receive(json.dumps(answer))  # bound to a key Bob's wallet does not hold
    compact = sdjwt.split(answer["credential"])
    before = await _snapshot(graph)
    # as issued, without key binding
    body = problem(bob.import_(answer["credential"]), 403)
    assert body["type"] == PROBLEMS + "key-binding-missing"
    # with a key-binding JWT signed by his own key, over his own nonce
    fresh = bob.nonce()
    sd = Compact(compact.jwt, compact.disclosures, None)
    kb = key_binding_jwt(
        sd.sd_jwt, next(iter(bob.wallet.keys.values())), aud=fresh["aud"], nonce=fresh["nonce"]
    )
    body = problem(bob.import_(Compact(compact.jwt, compact.disclosures, kb).serialize()), 403)
    assert body["type"] == PROBLEMS + "key-binding-signature-invalid"
    # Alice's own presentation, stolen in transit: its nonce was handed to Alice, not Bob
    stolen = alice.present(answer["credential_id"], ["contacts[0]"])
    body = problem(bob.import_(stolen), 422)
    assert body["type"] == PROBLEMS + "nonce-unknown"
    after = await _snapshot(graph)
    assert [row for row in after if "PresentationNonce" not in row] == [
        row for row in before if "PresentationNonce" not in row
    ]


def test_a_platform_cannot_import_a_presentation(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    register_own_issuer(client, tokens)
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    presentation = alice.present(answer["credential_id"], ["contacts[0]"])
    body = problem(
        alice.import_(presentation, headers=tokens.partner("acme", ["imports:write"])), 403
    )
    assert body["type"] == PROBLEMS + "presentation-holder-only"


def test_an_unregistered_issuer_is_untrusted(
    client: TestClient, tokens: TokenFactory, subject: str, tmp_path: Path
) -> None:
    alice = holder(client, tokens, subject, tmp_path)
    answer = alice.issue()
    body = problem(alice.import_(alice.present(answer["credential_id"], ["contacts[0]"])), 403)
    assert body["type"] == PROBLEMS + "issuer-untrusted"
