"""app/routers/matching.py: matches and exclusions over HTTP — who may ask, what comes back."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.settings import Settings
from graph.db import Graph
from tests.conftest import TokenFactory
from tests.http import hidden, ok, partner_headers, problem
from tests.support import metrics_graph as mg


async def build(graph: Graph) -> None:
    await mg.program(graph, cohort_name="Spring")
    await mg.program(graph, "prg_b", "coh_b")
    for mentee in ("per_ann", "per_bob"):
        await mg.person(
            graph, mentee, cohorts=["coh_a"], interests=["graphs", "python"], timezone="UTC"
        )
    await mg.mentor(
        graph,
        "per_mia",
        display_name="Mia Mentor",
        discoverable=True,
        skills=["Python", "Graphs"],
        timezone="UTC",
        cohorts=["coh_a"],
    )
    await mg.mentor(
        graph, "per_max", display_name="Max Mentor", discoverable=True, skills=["cooking"]
    )
    await mg.mentor(graph, "per_private", display_name="Private Mentor", skills=["graphs"])
    await mg.mentor(graph, "per_known", display_name="Known Mentor", skills=["graphs"])
    await mg.knows(graph, "per_ann", "per_known")


def ids(body: dict[str, object]) -> list[str]:
    return [match["person_id"] for match in body["matches"]]  # type: ignore[attr-defined]


async def test_a_mentee_gets_ranked_explained_matches(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await build(graph)
    ann = tokens.headers("per_ann", "mentee")
    body = ok(client.get("/v1/people/per_ann/matches", headers=ann))
    assert body["person_id"] == "per_ann"
    assert ids(body) == ["per_mia", "per_max"]  # never the non-discoverable ones
    best = body["matches"][0]
    assert set(best) == {"person_id", "display_name", "score", "reasons"}
    assert best["display_name"] == "Mia Mentor"
    # both interests 0.45 + same zone 0.2 + same cohort 0.1 + room for 3 0.1
    assert best["score"] == 0.85
    assert best["reasons"][0] == "You both care about graphs and python."
    assert "Private Mentor" not in client.get("/v1/people/per_ann/matches", headers=ann).text
    assert ids(ok(client.get("/v1/people/per_ann/matches?limit=1", headers=ann))) == ["per_mia"]
    assert len(ok(client.get("/v1/people/per_ann/matches?limit=500", headers=ann))["matches"]) == 2
    in_cohort = ok(client.get("/v1/people/per_ann/matches?cohort_id=coh_a", headers=ann))
    assert ids(in_cohort) == ["per_mia"]
    assert ids(ok(client.get("/v1/people/per_ann/matches?language=de", headers=ann))) == []


async def test_who_may_ask_for_matches(
    client: TestClient, tokens: TokenFactory, graph: Graph, settings: Settings
) -> None:
    await build(graph)
    path = "/v1/people/per_ann/matches"
    hidden(client.get(path, headers=tokens.headers("per_bob", "mentee")), "person", "per_ann")
    hidden(client.get(path, headers=tokens.headers("per_mia", "mentor")), "person", "per_ann")
    ok(client.get(path, headers=tokens.headers("pa", "admin", programs=["prg_a"])))
    hidden(
        client.get(path, headers=tokens.headers("pb", "admin", programs=["prg_b"])),
        "person",
        "per_ann",
    )
    problem(client.get(path, headers=partner_headers(client, settings)), 403)
    problem(client.get(path), 401)
    hidden(
        client.get("/v1/people/per_nobody/matches", headers=tokens.headers("op", "admin")),
        "person",
        "per_nobody",
    )
    # a cohort the mentee is not in
    hidden(
        client.get(f"{path}?cohort_id=coh_b", headers=tokens.headers("per_ann", "mentee")),
        "cohort",
        "coh_b",
    )
    # matching mentors is for mentees
    body = problem(
        client.get("/v1/people/per_mia/matches", headers=tokens.headers("per_mia", "mentor")), 422
    )
    assert body["detail"] == "Person 'per_mia' does not have the mentee role."


async def test_bad_match_parameters_are_422(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await build(graph)
    ann = tokens.headers("per_ann", "mentee")
    for query in ("limit=0", "limit=ten", "language=!!", "language=" + "a" * 40):
        body = problem(client.get(f"/v1/people/per_ann/matches?{query}", headers=ann), 422)
        assert body["errors"][0]["loc"][0] == "query"


async def test_a_mentee_manages_exclusions(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await build(graph)
    ann = tokens.headers("per_ann", "mentee")
    matches = "/v1/people/per_ann/matches"
    response = client.post("/v1/people/per_ann/exclusions/per_mia", headers=ann)
    assert response.status_code == 204, response.text
    assert client.post("/v1/people/per_ann/exclusions/per_mia", headers=ann).status_code == 204
    assert ids(ok(client.get(matches, headers=ann))) == ["per_max"]
    listed = ok(client.get("/v1/people/per_ann/exclusions", headers=ann))["items"]
    assert [item["person_id"] for item in listed] == ["per_mia"]
    # the excluded mentor does not see the mentee either way round: Bob still sees Mia
    assert "per_mia" in ids(
        ok(client.get("/v1/people/per_bob/matches", headers=tokens.headers("per_bob", "mentee")))
    )
    assert client.delete("/v1/people/per_ann/exclusions/per_mia", headers=ann).status_code == 204
    assert client.delete("/v1/people/per_ann/exclusions/per_mia", headers=ann).status_code == 204
    assert ids(ok(client.get(matches, headers=ann))) == ["per_mia", "per_max"]

    # someone Ann knows may be excluded even if not discoverable; a stranger who is not is hidden
    assert client.post("/v1/people/per_ann/exclusions/per_known", headers=ann).status_code == 204
    hidden(
        client.post("/v1/people/per_ann/exclusions/per_private", headers=ann),
        "person",
        "per_private",
    )
    hidden(
        client.post("/v1/people/per_ann/exclusions/per_nobody", headers=ann), "person", "per_nobody"
    )
    problem(client.post("/v1/people/per_ann/exclusions/per_ann", headers=ann), 422)
    # Bob cannot touch Ann's exclusions
    bob = tokens.headers("per_bob", "mentee")
    hidden(client.post("/v1/people/per_ann/exclusions/per_max", headers=bob), "person", "per_ann")
    hidden(
        client.delete("/v1/people/per_ann/exclusions/per_known", headers=bob), "person", "per_ann"
    )
    hidden(client.get("/v1/people/per_ann/exclusions", headers=bob), "person", "per_ann")
