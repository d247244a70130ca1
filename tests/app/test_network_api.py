"""app/routers/network.py: the ego network route, its depth bounds and who may see it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from graph import contacts
from graph.db import Graph
from tests import builders
from tests.conftest import TokenFactory
from tests.http import hidden, ok, partner_headers, problem


async def test_network_of_the_caller(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    centre = await builders.person(graph, "Centre")
    friend = await builders.person(graph, "Friend", discoverable=True)
    far = await builders.person(graph, "Far", discoverable=True)
    shy = await builders.person(graph, "Shy")
    await contacts.add_contact(graph, centre["id"], {"relation": "peer"}, person_id=friend["id"])
    await contacts.add_contact(graph, friend["id"], {}, person_id=far["id"])
    await contacts.add_contact(graph, friend["id"], {}, person_id=shy["id"])
    headers = tokens.headers(centre["id"], "mentee")
    path = f"/v1/people/{centre['id']}/network"
    one = ok(client.get(path, headers=headers))
    assert one["depth"] == 1
    assert {n["id"] for n in one["nodes"]} == {centre["id"], friend["id"]}
    assert one["edges"] == [{"source": centre["id"], "target": friend["id"], "relation": "peer"}]
    assert one["truncated"] is False
    two = ok(client.get(path, params={"depth": 2}, headers=headers))
    assert {n["id"]: n["distance"] for n in two["nodes"]} == {
        centre["id"]: 0,
        friend["id"]: 1,
        far["id"]: 2,
    }


@pytest.mark.parametrize("depth", [0, 4, -1])
async def test_depth_outside_1_to_3_is_refused(
    client: TestClient, tokens: TokenFactory, graph: Graph, depth: int
) -> None:
    centre = await builders.person(graph, "Centre")
    response = client.get(
        f"/v1/people/{centre['id']}/network",
        params={"depth": depth},
        headers=tokens.headers(centre["id"], "mentee"),
    )
    problem(response, 422)


async def test_only_the_person_and_their_admins_see_it(
    client: TestClient, tokens: TokenFactory, graph: Graph, settings: Settings
) -> None:
    cohort = await builders.cohort(graph)
    centre = await builders.person(graph, "Centre", cohort_id=cohort["id"])
    other = await builders.person(graph, "Other", discoverable=True)
    path = f"/v1/people/{centre['id']}/network"
    hidden(client.get(path, headers=tokens.headers(other["id"], "mentee")), "person", centre["id"])
    hidden(
        client.get(path, headers=tokens.headers("pa", "admin", programs=["prg_other"])),
        "person",
        centre["id"],
    )
    ok(client.get(path, headers=tokens.headers("pa", "admin", programs=[cohort["program_id"]])))
    problem(client.get(path, headers=partner_headers(client, settings)), 403)
    problem(client.get(path), 401)
    hidden(
        client.get("/v1/people/per_missing/network", headers=tokens.headers("op", "admin")),
        "person",
        "per_missing",
    )
