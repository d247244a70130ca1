"""app/routers/programs.py: programs, cohorts with 3-5 outcomes, and measurements."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from graph.db import Graph
from tests import builders
from tests.conftest import TokenFactory
from tests.http import created, hidden, ok, partner_headers, problem


def _outcome(key: str, **overrides: Any) -> dict[str, Any]:
    """An outcome as JSON: the builders' one with its date as text."""
    return builders.outcome(key, **{"due_date": "2030-06-30", **overrides})


def _cohort(count: int = 3, **overrides: Any) -> dict[str, Any]:
    return {"name": "Spring", "outcomes": [_outcome(f"k{i}") for i in range(count)], **overrides}


async def test_operators_create_programs_admins_list_theirs(
    client: TestClient, tokens: TokenFactory, graph: Graph, settings: Settings
) -> None:
    op = tokens.headers("op", "admin")
    first = created(client.post("/v1/programs", json={"name": "First"}, headers=op))
    second = created(
        client.post("/v1/programs", json={"name": "Second", "description": "d"}, headers=op)
    )
    assert first["id"].startswith("prg_")
    scoped = tokens.headers("pa", "admin", programs=[second["id"]])
    problem(client.post("/v1/programs", json={"name": "Mine"}, headers=scoped), 403)
    listed = ok(client.get("/v1/programs", headers=scoped))
    assert [p["id"] for p in listed["items"]] == [second["id"]]
    assert [p["id"] for p in ok(client.get("/v1/programs", headers=op))["items"]] == [
        first["id"],
        second["id"],
    ]
    problem(client.get("/v1/programs", headers=tokens.headers("m", "mentee")), 403)
    problem(client.get("/v1/programs", headers=partner_headers(client, settings)), 403)
    problem(client.get("/v1/programs"), 401)
    problem(client.post("/v1/programs", json={"name": ""}, headers=op), 422)
    assert await builders.count(graph, "Program") == 2


async def test_cohorts_need_3_to_5_distinct_outcomes(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    program = await builders.program(graph)
    op = tokens.headers("op", "admin")
    path = f"/v1/programs/{program['id']}/cohorts"
    for count in (3, 5):
        body = created(client.post(path, json=_cohort(count), headers=op))
        assert len(body["outcomes"]) == count
        assert body["outcomes"][0]["due_date"] == "2030-06-30"
        assert body["program_id"] == program["id"]
    for bad in [
        _cohort(2),
        _cohort(6),
        _cohort(3) | {"outcomes": [_outcome("same"), _outcome("same"), _outcome("other")]},
        _cohort(3) | {"outcomes": [_outcome("Bad Key"), _outcome("b"), _outcome("c")]},
        _cohort(3) | {"outcomes": [_outcome("a", due_date="soon"), _outcome("b"), _outcome("c")]},
        _cohort(3) | {"outcomes": [_outcome("a", target="high"), _outcome("b"), _outcome("c")]},
        _cohort(3, starts_on="2030-02-01", ends_on="2030-01-01"),
        _cohort(3, name=""),
    ]:
        problem(client.post(path, json=bad, headers=op), 422)
    assert await builders.count(graph, "Cohort") == 2
    assert await builders.count(graph, "Outcome") == 8


async def test_cohort_routes_check_the_program(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    mine = await builders.program(graph, "Mine")
    theirs = await builders.program(graph, "Theirs")
    scoped = tokens.headers("pa", "admin", programs=[mine["id"]])
    hidden(
        client.post(f"/v1/programs/{theirs['id']}/cohorts", json=_cohort(), headers=scoped),
        "program",
        theirs["id"],
    )
    hidden(
        client.get(f"/v1/programs/{theirs['id']}/cohorts", headers=scoped), "program", theirs["id"]
    )
    hidden(
        client.post("/v1/programs/prg_missing/cohorts", json=_cohort(), headers=scoped),
        "program",
        "prg_missing",
    )
    cohort = created(
        client.post(f"/v1/programs/{mine['id']}/cohorts", json=_cohort(), headers=scoped)
    )
    listed = ok(client.get(f"/v1/programs/{mine['id']}/cohorts", headers=scoped))
    assert [c["id"] for c in listed["items"]] == [cohort["id"]]
    problem(
        client.get(f"/v1/programs/{mine['id']}/cohorts", headers=tokens.headers("m", "mentee")),
        403,
    )


async def test_a_cohort_is_seen_by_its_admins_and_members(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    cohort = await builders.cohort(graph)
    member = await builders.person(graph, "Member", cohort_id=cohort["id"])
    outsider = await builders.person(graph, "Outsider")
    path = f"/v1/cohorts/{cohort['id']}"
    assert (
        ok(client.get(path, headers=tokens.headers(member["id"], "mentee")))["id"] == cohort["id"]
    )
    ok(client.get(path, headers=tokens.headers("pa", "admin", programs=[cohort["program_id"]])))
    hidden(
        client.get(path, headers=tokens.headers(outsider["id"], "mentee")), "cohort", cohort["id"]
    )
    hidden(
        client.get(path, headers=tokens.headers("pa", "admin", programs=["prg_x"])),
        "cohort",
        cohort["id"],
    )
    hidden(
        client.get("/v1/cohorts/coh_missing", headers=tokens.headers("op", "admin")),
        "cohort",
        "coh_missing",
    )


async def test_measurements(client: TestClient, tokens: TokenFactory, graph: Graph) -> None:
    cohort = await builders.cohort(graph)
    member = await builders.person(graph, "Member", cohort_id=cohort["id"])
    peer = await builders.person(graph, "Peer", cohort_id=cohort["id"])
    outsider = await builders.person(graph, "Outsider")
    path = f"/v1/cohorts/{cohort['id']}/outcomes/o1/measurements"
    admin = tokens.headers("pa", "admin", programs=[cohort["program_id"]])
    body = {"person_id": member["id"], "value": 3, "measured_at": "2030-04-01T14:00:00+02:00"}
    recorded = created(client.post(path, json=body, headers=admin))
    assert recorded["measured_at"] == "2030-04-01T12:00:00Z"
    assert recorded["value"] == 3.0
    own = tokens.headers(member["id"], "mentee")
    created(client.post(path, json=body, headers=own))
    problem(client.post(path, json=body | {"person_id": peer["id"]}, headers=own), 403)
    missing_key = problem(
        client.post(
            f"/v1/cohorts/{cohort['id']}/outcomes/nope/measurements", json=body, headers=admin
        ),
        404,
    )
    assert "no outcome" in missing_key["detail"]
    problem(client.post(path, json=body | {"person_id": outsider["id"]}, headers=admin), 422)
    problem(
        client.post(path, json=body | {"measured_at": "2030-04-01T14:00:00"}, headers=admin), 422
    )
    problem(client.post(path, json=body | {"value": "lots"}, headers=admin), 422)
    hidden(
        client.post(
            path,
            json=body | {"person_id": outsider["id"]},
            headers=tokens.headers(outsider["id"], "mentee"),
        ),
        "cohort",
        cohort["id"],
    )
    assert await builders.count(graph, "Measurement") == 2


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
async def test_measurement_values_are_finite(
    client: TestClient, tokens: TokenFactory, graph: Graph, value: str
) -> None:
    cohort = await builders.cohort(graph)
    member = await builders.person(graph, "Member", cohort_id=cohort["id"])
    raw = json.dumps(
        {"person_id": member["id"], "value": 0, "measured_at": "2030-04-01T12:00:00Z"}
    ).replace('"value": 0', f'"value": {value}')
    response = client.post(
        f"/v1/cohorts/{cohort['id']}/outcomes/o1/measurements",
        content=raw,
        headers=tokens.headers("op", "admin") | {"content-type": "application/json"},
    )
    problem(response, 422)
    assert await builders.count(graph, "Measurement") == 0
