"""graph/network.py: the ego network shows direct contacts and discoverable people only."""

from __future__ import annotations

import pytest

from graph import contacts
from graph.db import Graph
from graph.network import ego_network
from graph.values import Row
from tests import builders


async def _knows(graph: Graph, a: Row, b: Row, relation: str | None = None) -> None:
    fields = {"relation": relation} if relation else {}
    await contacts.add_contact(graph, a["id"], fields, person_id=b["id"])


async def test_depth_and_discoverability(graph: Graph) -> None:
    centre = await builders.person(graph, "Centre")
    hidden_friend = await builders.person(graph, "Hidden friend")
    open_friend = await builders.person(graph, "Open friend", discoverable=True)
    open_2 = await builders.person(graph, "Open two hops", discoverable=True)
    hidden_2 = await builders.person(graph, "Hidden two hops")
    behind_hidden = await builders.person(graph, "Behind hidden", discoverable=True)
    open_3 = await builders.person(graph, "Open three hops", discoverable=True)
    await _knows(graph, centre, hidden_friend, "colleague")
    await _knows(graph, open_friend, centre, "peer")  # recorded by the friend, not the centre
    await _knows(graph, open_friend, open_2)
    await _knows(graph, open_friend, hidden_2)
    await _knows(graph, hidden_friend, behind_hidden)
    await _knows(graph, open_2, open_3)
    await _knows(graph, hidden_friend, open_friend)

    one = await ego_network(graph, centre["id"], 1)
    assert one is not None
    assert {n["display_name"]: n["distance"] for n in one["nodes"]} == {
        "Centre": 0,
        "Hidden friend": 1,
        "Open friend": 1,
    }
    edges = {(e["source"], e["target"]): e["relation"] for e in one["edges"]}
    assert edges == {
        (centre["id"], hidden_friend["id"]): "colleague",
        (open_friend["id"], centre["id"]): None,  # someone else's label stays theirs
    }
    assert one["truncated"] is False

    three = await ego_network(graph, centre["id"], 3)
    assert three is not None
    names = {n["display_name"]: n["distance"] for n in three["nodes"]}
    assert names == {
        "Centre": 0,
        "Hidden friend": 1,
        "Open friend": 1,
        "Open two hops": 2,
        "Open three hops": 3,
    }
    assert "Hidden two hops" not in names
    assert "Behind hidden" not in names
    pairs = {(e["source"], e["target"]) for e in three["edges"]}
    assert (open_friend["id"], open_2["id"]) in pairs
    assert (hidden_friend["id"], open_friend["id"]) not in pairs  # a hidden person's own contact
    assert behind_hidden["id"] not in {e["target"] for e in three["edges"]}
    assert hidden_2["id"] not in {e["target"] for e in three["edges"]}


async def test_the_size_is_capped(graph: Graph) -> None:
    centre = await builders.person(graph, "Centre")
    for i in range(6):
        await _knows(graph, centre, await builders.person(graph, f"F{i}"))
    capped = await ego_network(graph, centre["id"], 1, max_nodes=4)
    assert capped is not None
    assert len(capped["nodes"]) == 4
    assert capped["truncated"] is True
    assert all(
        e["source"] in {n["id"] for n in capped["nodes"]}
        and e["target"] in {n["id"] for n in capped["nodes"]}
        for e in capped["edges"]
    )


async def test_unknown_centre_and_bad_depth(graph: Graph) -> None:
    assert await ego_network(graph, "per_nobody", 1) is None
    with pytest.raises(ValueError, match="depth"):
        await ego_network(graph, "per_nobody", 4)
