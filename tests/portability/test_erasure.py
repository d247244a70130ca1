"""Erasure reaches what a person imported: their imported records and identity links go, and the
import reports partners and operators read no longer name them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.db import Graph
from tests.conftest import TokenFactory
from tests.support.fake_partner import FakePartner


async def test_erasure_erases_imported_records_and_redacts_import_reports(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    pusher = tokens.partner("acme", ("imports:write",))
    body = partner.body_v2(
        subject="ext-gone", audience="rolodex", scopes=["profile", "contacts", "sessions"]
    )
    response = client.post(
        "/v1/imports",
        json={"bundle": partner.bundle(body, subject="ext-gone", audience="rolodex")},
        headers=pusher,
    )
    assert response.status_code == 201, response.text
    person_id, import_id = response.json()["person_id"], response.json()["import_id"]
    assert response.json()["created"]["sessions"] == 1

    erased = client.delete(f"/v1/people/{person_id}", headers=tokens.headers(person_id, "mentee"))
    assert erased.status_code == 204, erased.text

    left = await graph.query(
        "RETURN COUNT { (r:ExternalRecord) } AS records, COUNT { (x:ExternalIdentity) } AS ids, "
        "COUNT { (c:Contact) } AS contacts"
    )
    assert left == [{"records": 0, "ids": 0, "contacts": 0}]
    for reader in (pusher, tokens.headers("root", "admin")):
        report = client.get(f"/v1/imports/{import_id}", headers=reader)
        assert report.status_code == 200, report.text
        assert person_id not in report.text
        assert report.json()["person_id"] == "[erased]"
    stored = await graph.query(
        "MATCH (i:Import {id: $id}) RETURN i.person_id AS person, i.report AS report",
        {"id": import_id},
    )
    assert stored[0]["person"] is None
    assert person_id not in stored[0]["report"]
    # the partner's next push about that subject makes a new person, not the tombstone
    again = client.post(
        "/v1/imports",
        json={"bundle": partner.v2(subject="ext-gone", jti="bdl_after")},
        headers=pusher,
    )
    assert again.status_code == 201, again.text
    assert again.json()["person_id"] != person_id or again.json()["created"].get("people") == 1
