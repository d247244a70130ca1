"""app/routers/contacts.py: adding, listing, deleting and exporting a person's contacts."""

from __future__ import annotations

from typing import Any

import pytest
import vobject
from fastapi.testclient import TestClient

from app.settings import Settings
from graph import contacts
from graph.db import Graph
from graph.values import Row
from tests import builders
from tests.conftest import TokenFactory
from tests.http import created, hidden, ok, partner_headers, problem


def _path(person: Row, suffix: str = "") -> str:
    return f"/v1/people/{person['id']}/contacts{suffix}"


async def test_add_a_card_and_a_person_and_list_them(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    friend = await builders.person(
        graph, "Friend Display", discoverable=True, email="private@example.org"
    )
    headers = tokens.headers(owner["id"], "mentee")
    card = created(
        client.post(
            _path(owner),
            json={"name": "Card Person", "email": "card@example.org", "since": "2021-03-04"},
            headers=headers,
        )
    )
    assert card["kind"] == "card"
    assert card["since"] == "2021-03-04"
    known = created(
        client.post(
            _path(owner), json={"person_id": friend["id"], "relation": "peer"}, headers=headers
        )
    )
    assert known["kind"] == "person"
    assert known["name"] == "Friend Display"
    assert known["email"] is None
    page = ok(client.get(_path(owner), headers=headers))
    assert [c["id"] for c in page["items"]] == [card["id"], known["id"]]
    assert page["next_cursor"] is None


async def test_choosing_people_respects_discoverability(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    hidden_person = await builders.person(graph, "Hidden")
    knows_me = await builders.person(graph, "Knows me")
    await contacts.add_contact(graph, knows_me["id"], {}, person_id=owner["id"])
    headers = tokens.headers(owner["id"], "mentee")
    hidden(
        client.post(_path(owner), json={"person_id": hidden_person["id"]}, headers=headers),
        "person",
        hidden_person["id"],
    )
    hidden(
        client.post(_path(owner), json={"person_id": "per_missing"}, headers=headers),
        "person",
        "per_missing",
    )
    created(client.post(_path(owner), json={"person_id": knows_me["id"]}, headers=headers))
    again = problem(
        client.post(_path(owner), json={"person_id": knows_me["id"]}, headers=headers), 409
    )
    assert "already a contact" in again["detail"]
    problem(client.post(_path(owner), json={"person_id": owner["id"]}, headers=headers), 422)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "x@example.org"},
        {"name": ""},
        {"name": "X", "email": "nope"},
        {"name": "X", "since": "yesterday"},
        {"name": "X", "context": "c" * 5001},
        {"name": "X", "source": "imported"},
        {"person_id": "has spaces"},
    ],
)
async def test_bad_contacts_are_refused_and_write_nothing(
    client: TestClient, tokens: TokenFactory, graph: Graph, body: dict[str, Any]
) -> None:
    owner = await builders.person(graph, "Owner")
    problem(
        client.post(_path(owner), json=body, headers=tokens.headers(owner["id"], "mentee")), 422
    )
    assert await contacts.all_contacts(graph, owner["id"]) == []


async def test_nobody_else_reaches_a_rolodex(
    client: TestClient, tokens: TokenFactory, graph: Graph, settings: Settings
) -> None:
    mentor, mentee, cohort = await builders.pair(graph)
    await builders.mentorship(graph, mentor["id"], mentee["id"], cohort["id"])
    card = await contacts.add_contact(graph, mentee["id"], {"name": "Secret"})
    other = await builders.person(graph, "Other mentee")
    for headers in (tokens.headers(other["id"], "mentee"), tokens.headers(mentor["id"], "mentor")):
        for method, suffix in [
            ("GET", ""),
            ("POST", ""),
            ("GET", ".vcf"),
            ("DELETE", f"/{card['id']}"),
        ]:
            json = {"name": "Injected"} if method == "POST" else None
            response = client.request(method, _path(mentee, suffix), json=json, headers=headers)
            hidden(response, "person", mentee["id"])
    problem(client.get(_path(mentee), headers=partner_headers(client, settings)), 403)
    problem(client.get(_path(mentee)), 401)
    assert [c["name"] for c in await contacts.all_contacts(graph, mentee["id"])] == ["Secret"]
    scoped = tokens.headers("pa", "admin", programs=[cohort["program_id"]])
    assert len(ok(client.get(_path(mentee), headers=scoped))["items"]) == 1


async def test_delete_a_contact(client: TestClient, tokens: TokenFactory, graph: Graph) -> None:
    owner = await builders.person(graph, "Owner")
    card = await contacts.add_contact(graph, owner["id"], {"name": "Card"})
    headers = tokens.headers(owner["id"], "mentee")
    assert client.delete(_path(owner, f"/{card['id']}"), headers=headers).status_code == 204
    hidden(client.delete(_path(owner, f"/{card['id']}"), headers=headers), "contact", card["id"])
    assert ok(client.get(_path(owner), headers=headers))["items"] == []


async def test_list_pages(client: TestClient, tokens: TokenFactory, graph: Graph) -> None:
    owner = await builders.person(graph, "Owner")
    for i in range(3):
        await contacts.add_contact(graph, owner["id"], {"name": f"C{i}"})
    headers = tokens.headers(owner["id"], "mentee")
    first = ok(client.get(_path(owner), params={"limit": 2}, headers=headers))
    rest = ok(
        client.get(
            _path(owner), params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
        )
    )
    assert [c["name"] for c in first["items"] + rest["items"]] == ["C0", "C1", "C2"]
    assert rest["next_cursor"] is None
    problem(client.get(_path(owner), params={"cursor": "garbage!"}, headers=headers), 422)
    problem(client.get(_path(owner), params={"limit": 0}, headers=headers), 422)
    clamped = ok(client.get(_path(owner), params={"limit": 100000}, headers=headers))
    assert len(clamped["items"]) == 3


async def test_vcard_export_round_trips_in_a_real_parser(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    friend = await builders.person(
        graph, "Friend Display", discoverable=True, email="friend-private@example.org"
    )
    headers = tokens.headers(owner["id"], "mentee")
    recorded = [
        {
            "name": "Grace Hopper",
            "email": "grace@example.org",
            "organisation": "US Navy; Reserve, Inc.",
            "title": "Rear Admiral",
            "relation": "mentor",
            "context": "Met at a conference,\nthen kept in touch",
        },
        {"name": "Ada Lovelace", "email": "ada@example.org", "organisation": "Analytical Engines"},
        {"name": "Émile Zola-Long " + "Name" * 25, "email": "emile@example.org"},
    ]
    for body in recorded:
        created(client.post(_path(owner), json=body, headers=headers))
    created(
        client.post(
            _path(owner), json={"person_id": friend["id"], "relation": "peer"}, headers=headers
        )
    )
    response = client.get(_path(owner, ".vcf"), headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/vcard")
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.count("BEGIN:VCARD") == 4
    assert all(len(line.encode()) <= 75 for line in response.text.split("\r\n"))
    cards = {card.fn.value: card for card in vobject.readComponents(response.text)}
    for body in recorded:
        card = cards[body["name"]]
        assert card.email.value == body["email"]
        if "organisation" in body:
            assert card.org.value == [body["organisation"]]
    assert cards["Grace Hopper"].note.value == "Met at a conference,\nthen kept in touch"
    friend_card = cards["Friend Display"]
    assert not hasattr(friend_card, "email")
    assert "friend-private" not in response.text
