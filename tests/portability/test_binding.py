"""Binding rules: a bundle lands on a local person only through a link this instance made with
that person's involvement. Written as the attacks of issue 15 (a stranger claiming someone else's
partner data; a partner asserting this instance's own ids) — each must write nothing to the
victim."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from graph.db import Graph
from tests.conftest import TokenFactory
from tests.support.fake_partner import FakePartner

OUR_ISSUER = "http://testserver"


def _import(client: TestClient, bundle: str, headers: dict[str, str]) -> Any:
    return client.post("/v1/imports", json={"bundle": bundle}, headers=headers)


async def _counts(graph: Graph) -> tuple[int, int]:
    nodes = await graph.query(
        "MATCH (n) WHERE NOT n:RateCounter AND NOT n:ImportRefusals RETURN count(n) AS n"
    )
    rels = await graph.query("MATCH ()-[r]->() RETURN count(r) AS n")
    return int(nodes[0]["n"]), int(rels[0]["n"])


async def _person(graph: Graph, person_id: str) -> dict[str, Any]:
    rows = await graph.query(
        "MATCH (p:Person {id: $id}) "
        "RETURN p.headline AS headline, p.skills AS skills, "
        "COUNT { (p)-[:HAS_CONTACT]->() } AS contacts, COUNT { (p)-[:KNOWN_AS]->() } AS links",
        {"id": person_id},
    )
    return rows[0]


def _create_person(client: TestClient, tokens: TokenFactory, subject: str, name: str) -> str:
    response = client.post(
        "/v1/people",
        json={"display_name": name, "roles": ["mentee"]},
        headers=tokens.headers(subject, "mentee"),
    )
    assert response.status_code == 201, response.text
    person_id: str = response.json()["id"]
    return person_id


async def test_a_stranger_cannot_import_someone_elses_partner_bundle(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    pusher = tokens.partner("acme", ("imports:write",))
    victim = _import(client, partner.v2(subject="ext-victim", jti="bdl_v1"), pusher).json()[
        "person_id"
    ]
    stranger = _create_person(client, tokens, "per_stranger", "Stranger")
    before_victim = await _person(graph, victim)
    before = await _counts(graph)
    for audience, jti in (("rolodex", "bdl_v2"), ("self", "bdl_v3")):
        response = _import(
            client,
            partner.v2(subject="ext-victim", audience=audience, jti=jti),
            tokens.headers(stranger, "mentee"),
        )
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "https://rolodex.dev/problems/binding-required"
    assert await _counts(graph) == before
    assert (await _person(graph, stranger))["contacts"] == 0
    # The partner's next push about the victim still lands on the victim, not the stranger.
    again = _import(client, partner.v2(subject="ext-victim", jti="bdl_v4"), pusher).json()
    assert again["person_id"] == victim
    assert await _person(graph, victim) == before_victim


async def test_a_person_imports_only_bundles_bound_to_them(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    """Unlinked subject: binding-required, nothing written. Linked to them: accepted."""
    me = _create_person(client, tokens, "per_me", "Me")
    before = await _counts(graph)
    refused = _import(
        client,
        partner.v2(subject="ext-me", audience="self", jti="bdl_m1"),
        tokens.headers(me, "mentee"),
    )
    assert refused.status_code == 403
    assert refused.json()["type"] == "https://rolodex.dev/problems/binding-required"
    assert await _counts(graph) == before

    # A person the partner created here (subject linked to them) may import its newer bundles.
    pushed = _import(
        client,
        partner.v2(subject="ext-pat", jti="bdl_m2"),
        tokens.partner("acme", ("imports:write",)),
    ).json()["person_id"]
    accepted = _import(
        client,
        partner.v2(subject="ext-pat", audience="self", jti="bdl_m3", contacts=3),
        tokens.headers(pushed, "mentee"),
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["person_id"] == pushed
    assert accepted.json()["created"] == {"contacts": 1}
    other = tokens.headers("per_other", "mentee")
    assert (
        client.get(f"/v1/imports/{accepted.json()['import_id']}", headers=other).status_code == 404
    )


async def test_a_partner_asserting_this_instances_ids_binds_nothing(
    client: TestClient, tokens: TokenFactory, graph: Graph, partner: FakePartner
) -> None:
    victim = _create_person(client, tokens, "per_victim", "Victor Victim")
    before_victim = await _person(graph, victim)
    body = partner.body_v2(subject="ext-evil", audience="rolodex", scopes=["profile", "contacts"])
    body["profile"]["identities"] = [{"iss": OUR_ISSUER, "sub": victim}]
    body["profile"]["headline"] = "Planted headline"
    response = _import(
        client,
        partner.bundle(body, subject="ext-evil", audience="rolodex", jti="bdl_evil"),
        tokens.partner("acme", ("imports:write",)),
    )
    assert response.status_code == 201, response.text
    assert response.json()["person_id"] != victim
    assert response.json()["created"]["people"] == 1
    assert await _person(graph, victim) == before_victim
    # and the asserted identity links nobody: a later push naming it again still binds nothing
    links = await graph.query(
        "MATCH (x:ExternalIdentity) WHERE x.sub = $victim RETURN count(x) AS n", {"victim": victim}
    )
    assert links[0]["n"] == 0
