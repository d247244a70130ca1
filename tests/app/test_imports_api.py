"""Import over HTTP: every importer check answers its own problem type and writes nothing; good
bundles merge idempotently with provenance; dry runs write nothing; old schema versions upgrade."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.db import Graph
from tests.conftest import TokenFactory
from tests.support.fake_partner import FakePartner


def _pusher(
    client: TestClient, platform: str = "acme", scopes: tuple[str, ...] = ("imports:write",)
) -> dict[str, str]:
    return TokenFactory(client, client.app.state.settings).partner(platform, scopes)  # type: ignore[attr-defined]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


async def _counts(graph: Graph) -> tuple[int, int]:
    # rate-limit and refused-import counters hold no personal data; their own tests count them
    nodes = await graph.query(
        "MATCH (n) WHERE NOT n:RateCounter AND NOT n:ImportRefusals RETURN count(n) AS n"
    )
    rels = await graph.query("MATCH ()-[r]->() RETURN count(r) AS n")
    return int(nodes[0]["n"]), int(rels[0]["n"])


def _post(client: TestClient, bundle: str | bytes, headers: dict[str, str], **params: Any) -> Any:
    if isinstance(bundle, bytes):
        return client.post(
            "/v1/imports",
            content=bundle,
            params=params,
            headers={**headers, "content-type": "application/jose"},
        )
    return client.post("/v1/imports", json={"bundle": bundle}, params=params, headers=headers)


def test_a_good_bundle_creates_the_person_with_provenance(
    client: TestClient, partner: FakePartner
) -> None:
    response = _post(client, partner.v2(contacts=3), _pusher(client))
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["status"] == "applied"
    assert report["created"] == {"contacts": 3, "identities": 1, "people": 1}
    assert report["updated"] == {}
    assert report["conflicts"] == []
    assert response.headers["location"] == f"/v1/imports/{report['import_id']}"

    stored = client.get(f"/v1/imports/{report['import_id']}", headers=_pusher(client)).json()
    assert stored["created"] == report["created"]
    assert stored["person_id"] == report["person_id"]


async def test_provenance_is_recorded_on_every_imported_item(
    client: TestClient, graph: Graph, partner: FakePartner
) -> None:
    report = _post(client, partner.v2(), _pusher(client)).json()
    rows = await graph.query(
        "MATCH (p:Person {id: $id})-[r:HAS_CONTACT]->(c:Contact) "
        "RETURN c.source_issuer AS issuer, c.source_bundle AS bundle, c.origin_iss AS origin, r.source_bundle AS rel_bundle",
        {"id": report["person_id"]},
    )
    assert len(rows) == 2
    assert {(r["issuer"], r["bundle"], r["origin"], r["rel_bundle"]) for r in rows} == {
        (partner.issuer, "bdl_1", partner.issuer, "bdl_1")
    }
    person = await graph.query(
        "MATCH (p:Person {id: $id})-[:KNOWN_AS]->(x:ExternalIdentity) RETURN p.source_issuer AS issuer, p.discoverable AS d, x.key AS key",
        {"id": report["person_id"]},
    )
    assert person == [{"issuer": partner.issuer, "d": False, "key": f"{partner.issuer}|ext-pat"}]


async def test_reimporting_the_same_items_changes_nothing(
    client: TestClient, graph: Graph, partner: FakePartner
) -> None:
    first = _post(client, partner.v2(jti="bdl_a"), _pusher(client)).json()
    before = await _counts(graph)
    second = _post(client, partner.v2(jti="bdl_b"), _pusher(client))
    assert second.status_code == 201
    report = second.json()
    assert report["person_id"] == first["person_id"]
    assert report["created"] == {}
    assert report["updated"] == {}
    assert report["unchanged"] == {"contacts": 2, "identities": 1, "profile": 1}
    after = await _counts(graph)
    # only the new Import record with its links, and its audit event
    assert after == (before[0] + 2, before[1] + 3)


async def _import_then_edit_one_contact(
    client: TestClient, graph: Graph, partner: FakePartner
) -> Any:
    """A first import (bundle `bdl_a`), then a local edit of one of its contacts' title."""
    first = _post(client, partner.v2(jti="bdl_a"), _pusher(client)).json()
    await graph.query(
        "MATCH (:Person {id: $id})-[:HAS_CONTACT]->(c:Contact) WITH c ORDER BY c.name LIMIT 1 SET c.title = 'Edited here'",
        {"id": first["person_id"]},
        write=True,
    )
    return first


async def test_local_edits_are_reported_not_overwritten(
    client: TestClient, graph: Graph, partner: FakePartner
) -> None:
    first = await _import_then_edit_one_contact(client, graph, partner)
    body = partner.body_v2(subject="ext-pat", audience="rolodex", scopes=["profile", "contacts"])
    for contact in body["contacts"]:
        contact["title"] = "Changed at the partner"
    body["profile"]["display_name"] = "Patricia Partner"
    report = _post(
        client,
        partner.bundle(body, subject="ext-pat", audience="rolodex", jti="bdl_c"),
        _pusher(client),
    ).json()
    assert report["updated"] == {"contacts": 1}
    kinds = sorted((c["item"], c["field"]) for c in report["conflicts"])
    assert kinds == [("contact", "*"), ("profile", "display_name")]
    titles = await graph.query(
        "MATCH (:Person {id: $id})-[:HAS_CONTACT]->(c:Contact) RETURN c.title AS t ORDER BY t",
        {"id": first["person_id"]},
    )
    assert [r["t"] for r in titles] == ["Changed at the partner", "Edited here"]


async def test_an_unchanged_reimport_compares_hashes_and_rewrites_nothing(
    client: TestClient, graph: Graph, partner: FakePartner
) -> None:
    first = await _import_then_edit_one_contact(client, graph, partner)
    snapshot = "MATCH (:Person {id: $id})-[:HAS_CONTACT]->(c:Contact) RETURN properties(c) AS c ORDER BY c.id"
    before = await graph.query(snapshot, {"id": first["person_id"]})
    report = _post(client, partner.v2(jti="bdl_b"), _pusher(client)).json()
    # the partner changed nothing since the first import: the local edit is no conflict
    assert report["unchanged"] == {"contacts": 2, "identities": 1, "profile": 1}
    assert report["updated"] == {}
    assert report["conflicts"] == []
    assert await graph.query(snapshot, {"id": first["person_id"]}) == before


async def test_dry_run_reports_the_same_and_writes_nothing(
    client: TestClient, graph: Graph, partner: FakePartner
) -> None:
    before = await _counts(graph)
    dry = _post(client, partner.v2(jti="bdl_dry"), _pusher(client), dry_run="true")
    assert dry.status_code == 200
    assert dry.json()["status"] == "dry_run"
    assert dry.json()["import_id"] is None
    assert await _counts(graph) == before
    applied = _post(client, partner.v2(jti="bdl_dry"), _pusher(client)).json()
    assert {k: applied[k] for k in ("created", "updated", "unchanged", "conflicts")} == {
        k: dry.json()[k] for k in ("created", "updated", "unchanged", "conflicts")
    }


def test_raw_jose_body_is_accepted(client: TestClient, partner: FakePartner) -> None:
    assert _post(client, partner.v2().encode(), _pusher(client)).status_code == 201


async def test_a_schema_v1_bundle_is_upgraded_and_merged(
    client: TestClient, graph: Graph, partner: FakePartner
) -> None:
    response = _post(client, partner.v1(), _pusher(client))
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["schema_version"] == 1
    assert report["created"] == {"contacts": 2, "identities": 1, "mentorships": 1, "people": 1}
    person = await graph.query(
        "MATCH (p:Person {id: $id}) OPTIONAL MATCH (p)-[:HAS_CONTACT]->(c:Contact {origin_id: 'old1'}) "
        "OPTIONAL MATCH (p)-[:HAS_EXTERNAL]->(r:ExternalRecord) "
        "RETURN p.display_name AS name, c.organisation AS org, c.title AS title, c.relation AS relation, r.data AS record",
        {"id": report["person_id"]},
    )
    assert person[0]["name"] == "Vera Version"
    assert (person[0]["org"], person[0]["title"], person[0]["relation"]) == (
        "Legacy Ltd",
        "CTO",
        "mentor",
    )
    assert json.loads(person[0]["record"])["role"] == "mentee"


def test_only_partners_with_imports_write_or_people(
    client: TestClient, tokens: TokenFactory, partner: FakePartner
) -> None:
    bundle = partner.v2()
    assert _post(client, bundle, {}).status_code == 401
    assert _post(client, bundle, _pusher(client, scopes=("bundles:read",))).status_code == 403
    assert _post(client, bundle, tokens.headers("root", "admin")).status_code == 403
    other = _post(client, bundle, _pusher(client, platform="other"))
    assert other.status_code == 403
    assert other.json()["type"].endswith("/issuer-untrusted")


# -- the tamper corpus ----------------------------------------------------------------------------


def _flip_header(bundle: str) -> str:
    header, payload, signature = bundle.split(".")
    return f"X{header[1:]}.{payload}.{signature}"


def _flip_payload(bundle: str) -> str:
    header, payload, signature = bundle.split(".")
    claims = json.loads(_unb64(payload))
    claims["rolodex"]["profile"]["display_name"] = "Pat Partnex"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _flip_signature(bundle: str) -> str:
    header, payload, signature = bundle.split(".")
    raw = bytearray(_unb64(signature))
    raw[10] ^= 0x01
    return f"{header}.{payload}.{_b64(bytes(raw))}"


def _alg_none(bundle: str) -> str:
    header, payload, _ = bundle.split(".")
    fields = json.loads(_unb64(header))
    fields["alg"] = "none"
    return f"{_b64(json.dumps(fields).encode())}.{payload}."


def _hs256_with_public_key(partner: FakePartner, bundle: str) -> str:
    from cryptography.hazmat.primitives import serialization

    public = partner.ring.active.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _, payload, _ = bundle.split(".")
    header = _b64(
        json.dumps(
            {"alg": "HS256", "typ": "rolodex-bundle+jwt", "kid": partner.ring.active_kid}
        ).encode()
    )
    signature = _b64(hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return f"{header}.{payload}.{signature}"


def _unknown_kid(partner: FakePartner) -> str:
    from datetime import UTC, datetime

    from auth.keys import new_key

    stranger = new_key("documents", datetime.now(UTC))
    partner.ring.keys.append(stranger)
    partner.ring.active_kid = stranger.kid
    bundle = partner.v2(jti="bdl_kid")
    partner.ring.keys.remove(stranger)
    partner.ring.active_kid = partner.ring.keys[0].kid
    return bundle


CASES: list[tuple[str, str, int]] = [
    ("header byte flipped", "bundle-malformed", 400),
    ("payload byte flipped", "signature-invalid", 403),
    ("signature byte flipped", "signature-invalid", 403),
    ("alg none", "algorithm-not-allowed", 400),
    ("HS256 with the partner's public key", "algorithm-not-allowed", 400),
    ("unknown kid", "key-not-found", 403),
    ("unregistered issuer", "issuer-untrusted", 403),
    ("expired", "bundle-expired", 422),
    ("nbf in the future", "bundle-not-yet-valid", 422),
    ("wrong aud", "audience-mismatch", 422),
    ("replayed jti", "bundle-replayed", 409),
    ("revoked consent", "consent-revoked", 403),
    ("item outside the granted scopes", "scope-not-granted", 403),
    ("schema-invalid body", "schema-invalid", 422),
    ("JSON nested 10,000 deep in the payload", "bundle-malformed", 400),
    ("JSON nested 10,000 deep in the request", "bundle-malformed", 400),
    ("a 10 MB body", "bundle-too-large", 413),
    ("invalid UTF-8", "bundle-malformed", 400),
]


def _case(
    name: str, client: TestClient, partner: FakePartner
) -> tuple[str | bytes, dict[str, str] | None]:
    """The request body for a tamper case (and optional raw content type)."""
    good = partner.v2(jti=f"bdl_{abs(hash(name))}")
    if name == "header byte flipped":
        return _flip_header(good), None
    if name == "payload byte flipped":
        return _flip_payload(good), None
    if name == "signature byte flipped":
        return _flip_signature(good), None
    if name == "alg none":
        return _alg_none(good), None
    if name == "HS256 with the partner's public key":
        return _hs256_with_public_key(partner, good), None
    if name == "unknown kid":
        return _unknown_kid(partner), None
    if name == "unregistered issuer":
        return partner.v2(issuer="https://stranger.example"), None
    if name == "expired":
        return partner.v2(iat_offset=-7200, ttl=3600), None
    if name == "nbf in the future":
        return partner.v2(nbf_offset=3600), None
    if name == "wrong aud":
        return partner.v2(audience="someone-else"), None
    if name == "replayed jti":
        return partner.v2(jti="bdl_replayed"), None
    if name == "revoked consent":
        body = partner.body_v2(
            subject="ext-pat", audience="rolodex", scopes=["profile"], consent_id="cns_revoked"
        )
        partner.consent_status["cns_revoked"] = "revoked"
        return partner.bundle(body, subject="ext-pat", audience="rolodex", jti="bdl_rev"), None
    if name == "item outside the granted scopes":
        body = partner.body_v2(
            subject="ext-pat",
            audience="rolodex",
            scopes=["profile", "sessions"],
            receipt_scopes=["profile"],
        )
        return partner.bundle(body, subject="ext-pat", audience="rolodex", jti="bdl_scope"), None
    if name == "schema-invalid body":
        body = partner.body_v2(
            subject="ext-pat", audience="rolodex", scopes=["profile", "contacts"]
        )
        del body["contacts"][0]["fn"]
        body["contacts"][1]["kind"] = "robot"
        return partner.bundle(body, subject="ext-pat", audience="rolodex", jti="bdl_schema"), None
    if name == "JSON nested 10,000 deep in the payload":
        deep = "[" * 10_000 + "]" * 10_000
        payload = f'{{"iss": "{partner.issuer}", "sub": "ext-pat", "aud": "rolodex", "jti": "bdl_deep", "rolodex": {deep}}}'
        return partner.sign_raw(payload), None
    if name == "JSON nested 10,000 deep in the request":
        return b'{"bundle": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", {
            "content-type": "application/json"
        }
    if name == "a 10 MB body":
        return b"x" * (10 * 1024 * 1024), {"content-type": "application/jose"}
    if name == "invalid UTF-8":
        return b"\xff\xfe\xfd" + good.encode()[3:], {"content-type": "application/jose"}
    raise AssertionError(name)


@pytest.mark.parametrize(("name", "problem", "status"), CASES, ids=[c[0] for c in CASES])
async def test_tamper_corpus(
    client: TestClient, graph: Graph, partner: FakePartner, name: str, problem: str, status: int
) -> None:
    if name == "replayed jti":
        assert _post(client, partner.v2(jti="bdl_replayed"), _pusher(client)).status_code == 201
    body, raw_headers = _case(name, client, partner)
    before = await _counts(graph)
    if raw_headers is not None:
        assert isinstance(body, bytes)
        response = client.post(
            "/v1/imports", content=body, headers={**_pusher(client), **raw_headers}
        )
    else:
        response = _post(client, body, _pusher(client))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"https://rolodex.dev/problems/{problem}"
    assert await _counts(graph) == before
    dry = _post(client, body, _pusher(client), dry_run="true") if raw_headers is None else None
    if dry is not None:
        assert dry.json()["type"] == f"https://rolodex.dev/problems/{problem}"


async def test_a_large_bundle_goes_through_invisible_staging(
    settings: Any, graph: Graph, tokens: TokenFactory
) -> None:
    from app.main import create_app

    small_tx = settings.model_copy(update={"import_single_tx_items": 3})
    fake = FakePartner("acme")
    try:
        with TestClient(create_app(small_tx)) as client:
            admin = TokenFactory(client, small_tx).headers("root", "admin")
            assert (
                client.post(
                    "/v1/admin/platforms", json=fake.registration(), headers=admin
                ).status_code
                == 201
            )
            report = _post(client, fake.v2(contacts=10, jti="bdl_big"), _pusher(client)).json()
        assert report["created"]["contacts"] == 10
        visible = await graph.query(
            "MATCH (:Person {id: $id})-[:HAS_CONTACT]->(c:Contact) RETURN count(c) AS n",
            {"id": report["person_id"]},
        )
        assert visible[0]["n"] == 10
        assert (await graph.query("MATCH (s:StagedContact) RETURN count(s) AS n"))[0]["n"] == 0
    finally:
        fake.close()


async def test_staged_items_are_invisible_until_the_final_transaction(graph: Graph) -> None:
    from datetime import UTC, datetime

    from graph.imports import (
        ContactFields,
        IdentityRef,
        ImportActor,
        ImportedContact,
        ImportPlan,
        _plan,
        _stage,
    )

    plan = ImportPlan(
        import_id="imp_staging",
        replay_key="x|b",
        issuer="https://acme.example",
        platform_id="acme",
        bundle_id="b",
        at=datetime.now(UTC),
        scopes=("contacts",),
        schema_version=2,
        consent_id="cns_x",
        status_url="https://acme.example/v1/consents/cns_x/status",
        subject=IdentityRef(iss="https://acme.example", sub="ext-staged"),
        importer_person_id=None,
        vouched_person_id=None,
        actor=ImportActor(subject=None, role="partner"),
        new_person_id="per_staged",
        profile=None,
        contacts=tuple(
            ImportedContact(
                id=f"ctc_s{n}",
                ours=False,
                fields=ContactFields(f"Staged {n}", None, None, None, None, None, None),
                origin_iss="x",
                origin_id=str(n),
            )
            for n in range(5)
        ),
    )
    _, writes = await graph.read(lambda tx: _plan(tx, plan))
    await _stage(graph, plan, writes)
    assert (await graph.query("MATCH (c:Contact) RETURN count(c) AS n"))[0]["n"] == 0
    assert (
        await graph.query(
            "MATCH (s:StagedContact {staging_id: 'imp_staging'}) RETURN count(s) AS n"
        )
    )[0]["n"] == 5


def test_jwks_is_refetched_once_for_a_rotated_partner_key(
    settings: Any, tokens: TokenFactory
) -> None:
    from datetime import UTC, datetime

    from app.main import create_app

    eager = settings.model_copy(update={"jwks_min_refresh_seconds": 0})
    fake = FakePartner("acme")
    try:
        with TestClient(create_app(eager)) as client:
            admin = TokenFactory(client, eager).headers("root", "admin")
            assert (
                client.post(
                    "/v1/admin/platforms", json=fake.registration(), headers=admin
                ).status_code
                == 201
            )
            assert _post(client, fake.v2(jti="bdl_k1"), _pusher(client)).status_code == 201
            fake.ring.rotate(datetime.now(UTC), timedelta(hours=1))
            response = _post(client, fake.v2(jti="bdl_k2"), _pusher(client))
    finally:
        fake.close()
    assert response.status_code == 201, response.text


def test_a_person_without_a_profile_here_must_create_one_first(
    client: TestClient, tokens: TokenFactory, partner: FakePartner
) -> None:
    response = _post(
        client,
        partner.v2(audience="self", jti="bdl_noprofile"),
        tokens.headers("per_nobody", "mentee"),
    )
    assert response.status_code == 404
    assert "Create your profile" in response.json()["detail"]


def test_an_imported_person_without_a_role_is_listed_and_read(
    client: TestClient, tokens: TokenFactory, partner: FakePartner
) -> None:
    """Found under load: an imported person (no role here, no interests) broke GET /v1/people."""
    body = partner.body_v2(subject="ext-norole", audience="rolodex", scopes=["profile"])
    del body["profile"]["skills"]
    report = _post(
        client, partner.bundle(body, subject="ext-norole", audience="rolodex"), _pusher(client)
    ).json()
    admin = tokens.headers("root", "admin")
    listed = client.get("/v1/people", headers=admin)
    assert listed.status_code == 200, listed.text
    (person,) = [p for p in listed.json()["items"] if p["id"] == report["person_id"]]
    assert (person["roles"], person["interests"], person["skills"]) == ([], [], [])
    read = client.get(f"/v1/people/{report['person_id']}", headers=admin)
    assert read.status_code == 200, read.text
