"""graph/contacts.py: person contacts (KNOWS) and inline cards, listed together."""

from __future__ import annotations

from datetime import date

import pytest

from graph import contacts
from graph.db import Graph
from graph.errors import ConflictError, InvalidError, NotFoundError
from graph.pagination import Cursor, PageRequest
from tests import builders


async def test_card_and_person_contacts_list_together_oldest_first(graph: Graph) -> None:
    owner = await builders.person(graph, "Owner")
    friend = await builders.person(graph, "Friend Display", email="private@example.org")
    card = await contacts.add_contact(
        graph,
        owner["id"],
        {"name": "Card Person", "email": "card@example.org", "since": date(2020, 1, 2)},
    )
    known = await contacts.add_contact(
        graph, owner["id"], {"relation": "colleague"}, person_id=friend["id"]
    )
    page = await contacts.list_contacts(graph, owner["id"], PageRequest())
    assert [c["id"] for c in page.items] == [card["id"], known["id"]]
    assert page.next_cursor is None
    assert card["kind"] == "card"
    assert card["person_id"] is None
    assert card["since"] == date(2020, 1, 2)
    assert card["source"] == "manual"
    assert known["kind"] == "person"
    assert known["person_id"] == friend["id"]
    assert known["name"] == "Friend Display"  # the display name stands in for a recorded name
    assert known["email"] is None  # never the other person's own email
    assert known["id"].startswith("ctc_")


async def test_recorded_name_wins_over_display_name(graph: Graph) -> None:
    owner = await builders.person(graph, "Owner")
    friend = await builders.person(graph, "Friend Display")
    known = await contacts.add_contact(
        graph, owner["id"], {"name": "Fred from work"}, person_id=friend["id"]
    )
    assert known["name"] == "Fred from work"


async def test_person_contact_rules(graph: Graph) -> None:
    owner = await builders.person(graph, "Owner")
    friend = await builders.person(graph, "Friend")
    with pytest.raises(InvalidError):
        await contacts.add_contact(graph, owner["id"], {}, person_id=owner["id"])
    with pytest.raises(NotFoundError):
        await contacts.add_contact(graph, owner["id"], {}, person_id="per_nobody")
    with pytest.raises(NotFoundError):
        await contacts.add_contact(graph, "per_nobody", {"name": "X"})
    await contacts.add_contact(graph, owner["id"], {}, person_id=friend["id"])
    with pytest.raises(ConflictError, match="already a contact"):
        await contacts.add_contact(graph, owner["id"], {}, person_id=friend["id"])
    # The other direction is the friend's own rolodex and is allowed.
    await contacts.add_contact(graph, friend["id"], {}, person_id=owner["id"])


async def test_delete_only_the_owners_contact(graph: Graph) -> None:
    owner = await builders.person(graph, "Owner")
    other = await builders.person(graph, "Other")
    card = await contacts.add_contact(graph, owner["id"], {"name": "Card"})
    known = await contacts.add_contact(graph, owner["id"], {}, person_id=other["id"])
    assert await contacts.delete_contact(graph, other["id"], card["id"]) is False
    assert await contacts.delete_contact(graph, owner["id"], card["id"]) is True
    assert await contacts.delete_contact(graph, owner["id"], known["id"]) is True
    assert await contacts.delete_contact(graph, owner["id"], known["id"]) is False
    assert await contacts.all_contacts(graph, owner["id"]) == []
    rows = await graph.query("MATCH (p:Person) RETURN count(p) AS n")
    assert rows[0]["n"] == 2  # deleting a contact never deletes the person


async def test_contacts_page_by_cursor(graph: Graph) -> None:
    owner = await builders.person(graph, "Owner")
    made = [await contacts.add_contact(graph, owner["id"], {"name": f"C{i}"}) for i in range(5)]
    first = await contacts.list_contacts(graph, owner["id"], PageRequest(limit=3))
    assert first.next_cursor is not None
    second = await contacts.list_contacts(
        graph, owner["id"], PageRequest(limit=3, after=Cursor.decode(first.next_cursor))
    )
    assert [c["id"] for c in first.items + second.items] == [c["id"] for c in made]
    assert second.next_cursor is None


async def test_the_export_gives_people_the_email_the_owner_recorded(graph: Graph) -> None:
    """A contact who is a person exports the e-mail the owner recorded for them, never the
    person's own (private) address."""
    owner = await builders.person(graph, "Owner")
    noted = await builders.person(graph, "Noted", email="own@example.org", discoverable=True)
    silent = await builders.person(graph, "Silent", email="private@example.org", discoverable=True)
    await contacts.add_contact(
        graph, owner["id"], {"email": "noted@example.org"}, person_id=noted["id"]
    )
    await contacts.add_contact(graph, owner["id"], {}, person_id=silent["id"])
    emails = {row["name"]: row["email"] for row in await contacts.all_contacts(graph, owner["id"])}
    assert emails == {"Noted": "noted@example.org", "Silent": None}
