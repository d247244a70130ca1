"""POST /v1/people/{id}/contacts.vcf: importing address-book exports into a rolodex."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph import contacts
from graph.db import Graph
from graph.values import Row
from tests import builders
from tests.conftest import TokenFactory
from tests.http import ok, problem
from tests.personal import vcard_samples as samples

VCARD = {"Content-Type": "text/vcard"}


def _path(person: Row) -> str:
    return f"/v1/people/{person['id']}/contacts.vcf"


def _upload(
    client: TestClient, person: Row, headers: dict[str, str], body: str | bytes, **extra: str
) -> Any:
    data = body.encode() if isinstance(body, str) else body
    return client.post(_path(person), content=data, headers={**headers, **VCARD, **extra})


async def test_imports_real_exports_and_a_second_upload_changes_nothing(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    headers = tokens.headers(owner["id"], "mentee")
    existing = await contacts.add_contact(
        graph, owner["id"], {"name": "Grace H.", "email": "grace@example.org"}
    )
    body = (
        samples.APPLE_CONTACTS_30
        + samples.ANDROID_QP_30
        + samples.OUTLOOK_NO_FN_40
        + samples.GOOGLE_THREE
    )
    report = ok(_upload(client, owner, headers, body))
    assert (report["created"], report["updated"], report["skipped"]) == (5, 1, 0)
    by_name = {card["name"]: card for card in report["cards"]}
    assert by_name["Grace Hopper"]["outcome"] == "updated"
    assert by_name["Grace Hopper"]["contact_id"] == existing["id"]
    assert "e-mail" in by_name["Grace Hopper"]["reason"]
    assert [card["index"] for card in report["cards"]] == list(range(1, 7))
    stored = {c["name"]: c for c in await contacts.all_contacts(graph, owner["id"])}
    assert set(stored) == {
        "Ada Lovelace",
        "Dr. Jürgen Müller",
        "Zoë Maria Ågren PhD",
        "Grace Hopper",
        "Alan Turing",
        "Katherine Johnson",
    }
    ada = stored["Ada Lovelace"]
    assert ada["email"] == "ada@example.org"
    assert ada["organisation"] == "Analytical Engines Ltd"
    assert ada["source"] == "vcard"
    assert "letters about" in ada["context"]

    again = ok(_upload(client, owner, headers, body))
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 6)
    assert all(card["reason"].startswith("unchanged") for card in again["cards"])
    assert len(await contacts.all_contacts(graph, owner["id"])) == 6


async def test_a_changed_card_updates_its_contact_matched_by_uid(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    headers = tokens.headers(owner["id"], "mentee")
    ok(_upload(client, owner, headers, samples.OUTLOOK_NO_FN_40))
    changed = samples.OUTLOOK_NO_FN_40.replace(
        "zoe.agren@example.se", "zoe@new.example.se"
    ).replace("ORG:Kungliga Tekniska högskolan", "ORG:Chalmers")
    report = ok(_upload(client, owner, headers, changed))
    assert report["updated"] == 1
    assert report["cards"][0]["changed"] == ["email", "organisation"]
    assert "UID" in report["cards"][0]["reason"]
    [zoe] = await contacts.all_contacts(graph, owner["id"])
    assert (zoe["email"], zoe["organisation"]) == ("zoe@new.example.se", "Chalmers")


async def test_the_export_imports_back_unchanged(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    headers = tokens.headers(owner["id"], "mentee")
    ok(_upload(client, owner, headers, samples.GOOGLE_THREE + samples.APPLE_CONTACTS_30))
    exported = client.get(_path(owner), headers=headers)
    assert exported.status_code == 200
    report = ok(_upload(client, owner, headers, exported.content))
    assert (report["created"], report["updated"], report["skipped"]) == (0, 0, 4)


async def test_cards_without_usable_values_are_skipped_with_the_reason(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    headers = tokens.headers(owner["id"], "mentee")
    body = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Mail\r\nEMAIL:not-an-address\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:only@example.org\r\nEND:VCARD\r\n"
    )
    report = ok(_upload(client, owner, headers, body))
    assert [(c["outcome"], c["reason"]) for c in report["cards"][:2]] == [
        ("skipped", "no name and no e-mail address"),
        ("skipped", "invalid email"),
    ]
    assert report["cards"][2]["outcome"] == "created"
    assert [c["name"] for c in await contacts.all_contacts(graph, owner["id"])] == [
        "only@example.org"
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"this is not a vCard at all", 422),
        (b"", 422),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half\r\n", 422),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", 422),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n" * 10_000, 413),
        (
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big\r\nNOTE:"
            + b"x" * (10 * 1024 * 1024)
            + b"\r\nEND:VCARD\r\n",
            413,
        ),
    ],
    ids=["not-vcard", "empty", "unclosed", "calendar", "10000-cards", "10-MB"],
)
async def test_bad_files_are_refused_whole_and_write_nothing(
    client: TestClient, tokens: TokenFactory, graph: Graph, body: bytes, status: int
) -> None:
    owner = await builders.person(graph, "Owner")
    headers = tokens.headers(owner["id"], "mentee")
    # One good card first (except for the empty file): a refusal must not keep it.
    prefix = samples.ANDROID_QP_30.encode() if body else b""
    problem(_upload(client, owner, headers, prefix + body), status)
    assert await contacts.all_contacts(graph, owner["id"]) == []
    assert await builders.count(graph, "Contact") == 0


async def test_only_vcard_media_types_and_only_the_owner(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    other = await builders.person(graph, "Other")
    body = samples.GOOGLE_THREE.encode()
    problem(  # a JSON body (well-formed, so the shared JSON guard lets it through) is a 415
        client.post(
            _path(owner),
            content=b'{"name": "Not a vCard"}',
            headers={**tokens.headers(owner["id"], "mentee"), "Content-Type": "application/json"},
        ),
        415,
    )
    problem(client.post(_path(owner), content=body, headers=VCARD), 401)
    response = _upload(client, owner, tokens.headers(other["id"], "mentee"), body)
    assert problem(response, 404)["detail"] == f"No person with id {owner['id']!r}."
    assert await builders.count(graph, "Contact") == 0
    ok(
        _upload(
            client,
            owner,
            tokens.headers(owner["id"], "mentee"),
            body,
            **{"Content-Type": "text/x-vcard; charset=utf-8"},
        )
    )


async def test_search_and_edit_contacts(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    owner = await builders.person(graph, "Owner")
    headers = tokens.headers(owner["id"], "mentee")
    ok(_upload(client, owner, headers, samples.GOOGLE_THREE))
    path = f"/v1/people/{owner['id']}/contacts"
    found = ok(client.get(path, params={"q": "NASA"}, headers=headers))["items"]
    assert [c["name"] for c in found] == ["Katherine Johnson"]
    found = ok(client.get(path, params={"q": "example.org"}, headers=headers))["items"]
    assert [c["name"] for c in found] == ["Grace Hopper", "Alan Turing"]
    alan = found[1]
    edited = ok(
        client.patch(
            f"{path}/{alan['id']}", json={"title": "Cryptanalyst", "email": None}, headers=headers
        )
    )
    assert (edited["title"], edited["email"], edited["name"]) == (
        "Cryptanalyst",
        None,
        "Alan Turing",
    )
    problem(client.patch(f"{path}/{alan['id']}", json={"name": None}, headers=headers), 422)
    problem(client.patch(f"{path}/{alan['id']}", json={"source": "x"}, headers=headers), 422)
    problem(client.patch(f"{path}/ctc_missing", json={"title": "x"}, headers=headers), 404)
    other = await builders.person(graph, "Other")
    problem(
        client.patch(
            f"{path}/{alan['id']}",
            json={"title": "x"},
            headers=tokens.headers(other["id"], "mentee"),
        ),
        404,
    )
