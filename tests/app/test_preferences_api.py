"""Preference layers over HTTP: choices, per-audience overrides, program defaults, and their resolution."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from graph.db import Graph
from tests.conftest import TokenFactory

ALICE = "per_alice"


@pytest.fixture
async def member(graph: Graph) -> None:
    await graph.query(
        """
        CREATE (p:Person {id: $id, discoverable: false, created_at: datetime()})
        CREATE (g1:Program {id: 'prg_one', created_at: datetime()})-[:HAS_COHORT]->(c1:Cohort {id: 'coh_one'})
        CREATE (g2:Program {id: 'prg_two', created_at: datetime()})-[:HAS_COHORT]->(c2:Cohort {id: 'coh_two'})
        CREATE (p)-[:MEMBER_OF]->(c1), (p)-[:MEMBER_OF]->(c2)
        """,
        {"id": ALICE},
        write=True,
    )


def test_defaults_are_the_narrowest_system_values(
    client: TestClient, tokens: TokenFactory, member: None
) -> None:
    response = client.get(
        f"/v1/people/{ALICE}/preferences/effective", headers=tokens.headers(ALICE, "mentee")
    )
    assert response.status_code == 200
    values = response.json()["values"]
    assert values["discoverable"] == {"value": False, "source": "system"}
    assert values["profile_visibility"] == {"value": "private", "source": "system"}


def test_layers_resolve_program_then_person_then_audience(
    client: TestClient, tokens: TokenFactory, member: None
) -> None:
    admin = tokens.headers("root", "admin")
    assert (
        client.put(
            "/v1/programs/prg_one/preference-defaults",
            json={"profile_visibility": "public", "share_outcomes": True},
            headers=admin,
        ).status_code
        == 204
    )
    assert (
        client.put(
            "/v1/programs/prg_two/preference-defaults",
            json={"profile_visibility": "program"},
            headers=admin,
        ).status_code
        == 204
    )
    me = tokens.headers(ALICE, "mentee")
    put = client.put(
        f"/v1/people/{ALICE}/preferences",
        json={
            "choices": {"discoverable": True, "share_contacts": True},
            "overrides": {"acme": {"share_contacts": False}},
        },
        headers=me,
    )
    assert put.status_code == 200, put.text
    assert put.json()["choices"] == {  # null: not chosen, the layer below applies
        "discoverable": True,
        "share_contacts": True,
        "profile_visibility": None,
        "share_outcomes": None,
        "match_suggestions": None,
    }

    plain = client.get(f"/v1/people/{ALICE}/preferences/effective", headers=me).json()["values"]
    assert plain["profile_visibility"] == {
        "value": "program",
        "source": "program:prg_two",
    }  # narrowest of the two programs
    assert plain["share_outcomes"] == {"value": True, "source": "program:prg_one"}
    assert plain["share_contacts"] == {"value": True, "source": "person"}
    assert plain["discoverable"] == {"value": True, "source": "person"}

    for_acme = client.get(
        f"/v1/people/{ALICE}/preferences/effective?audience=acme", headers=me
    ).json()["values"]
    assert for_acme["share_contacts"] == {"value": False, "source": "audience:acme"}


async def test_discoverable_choice_is_the_person_flag(
    client: TestClient, tokens: TokenFactory, graph: Graph, member: None
) -> None:
    client.put(
        f"/v1/people/{ALICE}/preferences",
        json={"choices": {"discoverable": True}},
        headers=tokens.headers(ALICE, "mentee"),
    )
    rows = await graph.query("MATCH (p:Person {id: $id}) RETURN p.discoverable AS d", {"id": ALICE})
    assert rows[0]["d"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"choices": {"discoverable": "yes"}},
        {"choices": {"profile_visibility": "everyone"}},
        {"choices": {"unknown": True}},
        {"overrides": {"acme": {"discoverable": True}}},
        {"version": 1},
    ],
)
def test_invalid_preferences_are_422(
    client: TestClient, tokens: TokenFactory, member: None, body: dict[str, object]
) -> None:
    response = client.put(
        f"/v1/people/{ALICE}/preferences", json=body, headers=tokens.headers(ALICE, "mentee")
    )
    assert response.status_code == 422


def test_programs_cannot_default_discoverability(
    client: TestClient, tokens: TokenFactory, member: None
) -> None:
    response = client.put(
        "/v1/programs/prg_one/preference-defaults",
        json={"discoverable": True},
        headers=tokens.headers("root", "admin"),
    )
    assert response.status_code == 422


def test_admins_of_other_programs_cannot_set_defaults(
    client: TestClient, tokens: TokenFactory, member: None
) -> None:
    other = tokens.headers("adm", "admin", programs=("prg_two",))
    assert (
        client.put(
            "/v1/programs/prg_one/preference-defaults", json={"share_contacts": True}, headers=other
        ).status_code
        == 404
    )
    assert (
        client.put(
            "/v1/programs/prg_two/preference-defaults", json={"share_contacts": True}, headers=other
        ).status_code
        == 204
    )


def test_only_the_person_reads_and_writes_their_preferences(
    client: TestClient, tokens: TokenFactory, member: None
) -> None:
    bob = tokens.headers("per_bob", "mentee")
    assert client.get(f"/v1/people/{ALICE}/preferences", headers=bob).status_code == 404
    assert client.put(f"/v1/people/{ALICE}/preferences", json={}, headers=bob).status_code == 404
    assert (
        client.put(
            f"/v1/people/{ALICE}/preferences", json={}, headers=tokens.headers("root", "admin")
        ).status_code
        == 404
    )
    assert client.get(f"/v1/people/{ALICE}/preferences").status_code == 401
