"""graph/network_metrics.py: weekly growth and the contact graph at the end of a range.

The graph (UTC weeks: W01 from 2025-12-29, W02 from 2026-01-05, W03 from 2026-01-12):

    before the range   P1, P2; P1→P2; mentorship X0 started
    W01                P3; P2→P3
    W02                P4, P5; P4→P5 and P5→P4; mentorship X1 started
    W03                P6 (no contacts)
    W04 (after)        P7; P6→P7
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.analytics.network import snapshot
from app.analytics.stats import running_totals
from app.analytics.weeks import week_range
from graph import network_metrics, people
from graph.db import Graph
from graph.scope import Scope
from tests.support import metrics_graph as mg
from tests.support.metrics_graph import at

NOW = datetime(2026, 3, 2, tzinfo=UTC)


async def build(graph: Graph) -> None:
    await mg.program(graph)
    await mg.program(graph, "prg_b", "coh_b")
    created = {
        "P1": at("2025-12-01"),
        "P2": at("2025-12-02"),
        "P3": at("2025-12-30"),
        "P4": at("2026-01-05"),
        "P5": at("2026-01-06"),
        "P6": at("2026-01-13"),
        "P7": at("2026-01-20"),
    }
    for name, moment in created.items():
        cohort = "coh_a" if name in ("P1", "P2", "P3") else "coh_b"
        roles = ("mentor",) if name in ("P1", "P4") else ("mentee",)
        await mg.person(graph, name, roles=roles, cohorts=[cohort], created_at=moment)
    await mg.knows(graph, "P1", "P2", at("2025-12-10"))
    await mg.knows(graph, "P2", "P3", at("2025-12-31"))
    await mg.knows(graph, "P4", "P5", at("2026-01-07"))
    await mg.knows(graph, "P5", "P4", at("2026-01-08"))
    await mg.knows(graph, "P6", "P7", at("2026-01-20"))
    await mg.mentorship(graph, "X0", "P1", "P2", "coh_a", started_at=at("2025-12-15"))
    await mg.mentorship(graph, "X1", "P4", "P5", "coh_b", started_at=at("2026-01-06"))
    # a proposal never accepted is not part of the network
    await mg.mentorship(graph, "X2", "P1", "P3", "coh_a", status="proposed")


async def growth(graph: Graph, scope: Scope) -> list[dict[str, tuple[int, int, int]]]:
    weeks = week_range("2026-W01", "2026-W03", "UTC", now=NOW)
    rows, before = await network_metrics.growth(graph, weeks.params(), scope)
    totals = {
        name: running_totals(before[name], [row[f"new_{name}"] for row in rows])
        for name in ("people", "contacts", "mentorships")
    }
    return [
        {
            "new": (row["new_people"], row["new_contacts"], row["new_mentorships"]),
            "total": (totals["people"][i], totals["contacts"][i], totals["mentorships"][i]),
        }
        for i, row in enumerate(rows)
    ]


async def test_weekly_growth_and_cumulative_totals(graph: Graph) -> None:
    await build(graph)
    assert await growth(graph, Scope()) == [
        {"new": (1, 1, 0), "total": (3, 2, 1)},  # W01: P3, P2→P3
        {"new": (2, 2, 1), "total": (5, 4, 2)},  # W02: P4, P5, both directions, X1
        {"new": (1, 0, 0), "total": (6, 4, 2)},  # W03: P6
    ]


async def test_growth_within_a_program(graph: Graph) -> None:
    await build(graph)
    assert await growth(graph, Scope(program_id="prg_a")) == [
        {"new": (1, 1, 0), "total": (3, 2, 1)},
        {"new": (0, 0, 0), "total": (3, 2, 1)},
        {"new": (0, 0, 0), "total": (3, 2, 1)},
    ]


async def test_shape_of_the_contact_graph_at_the_end_of_the_range(graph: Graph) -> None:
    await build(graph)
    weeks = week_range("2026-W01", "2026-W03", "UTC", now=NOW)
    people, edges = await network_metrics.contact_graph(graph, weeks.end, Scope())
    assert sorted(people) == ["P1", "P2", "P3", "P4", "P5", "P6"]  # P7 came later
    shape = snapshot(people, edges)
    # degrees P1 1, P2 2, P3 1, P4 1, P5 1 (the mutual pair counts once), P6 0 → 6 / 6
    assert shape.mean_degree == 1.0
    assert shape.degree_histogram == [
        {"degree": 0, "people": 1},
        {"degree": 1, "people": 4},
        {"degree": 2, "people": 1},
    ]
    # components {P1, P2, P3}, {P4, P5}, {P6}: 3 of 6
    assert shape.largest_component_share == 0.5
    # 2-hop reach: P1 2, P2 2, P3 2, P4 1, P5 1, P6 0 → median of 0 1 1 2 2 2 = 1.5
    assert shape.median_two_hop_reach == 1.5
    assert (shape.estimated, shape.sample_size) == (False, None)

    earlier = week_range("2025-W40", "2025-W40", "UTC", now=NOW)
    people, edges = await network_metrics.contact_graph(graph, earlier.end, Scope())
    empty = snapshot(people, edges)
    assert (empty.mean_degree, empty.largest_component_share, empty.median_two_hop_reach) == (
        None,
        None,
        None,
    )
    assert empty.degree_histogram == []


async def test_a_program_sees_contacts_between_its_members_only(graph: Graph) -> None:
    await build(graph)
    await mg.knows(graph, "P3", "P4", at("2026-01-09"))  # crosses the two programs
    weeks = week_range("2026-W01", "2026-W03", "UTC", now=NOW)
    people, edges = await network_metrics.contact_graph(
        graph, weeks.end, Scope(programs=frozenset({"prg_b"}))
    )
    assert sorted(people) == ["P4", "P5", "P6"]
    assert sorted(edges) == [("P4", "P5"), ("P5", "P4")]


async def _by_definition(graph: Graph, end: datetime) -> tuple[list[str], list[tuple[str, str]]]:
    """docs/metrics.md's contact graph at `end`, read the slow way: every `KNOWS` created before
    `end` whose two ends are people created before `end`."""
    people = await graph.query(
        "MATCH (p:Person) WHERE p.created_at < $end RETURN p.id AS id", {"end": end}
    )
    edges = await graph.query(
        """
        MATCH (a:Person)-[k:KNOWS]->(b:Person)
        WHERE k.created_at < $end AND a.created_at < $end AND b.created_at < $end
        RETURN a.id AS a, b.id AS b
        """,
        {"end": end},
    )
    return sorted(row["id"] for row in people), sorted((row["a"], row["b"]) for row in edges)


async def _read(graph: Graph, end: datetime) -> tuple[list[str], list[tuple[str, str]]]:
    people, edges = await network_metrics.contact_graph(graph, end, Scope())
    return sorted(people), sorted(edges)


async def test_the_contact_graph_is_the_definition_after_writes_and_erasure(graph: Graph) -> None:
    await build(graph)
    end = week_range("2026-W01", "2026-W03", "UTC", now=NOW).end
    assert await _read(graph, end) == await _by_definition(graph, end)
    # an edge recorded in the range towards someone who joined after it does not count
    await mg.knows(graph, "P1", "P7", at("2026-01-10"))
    # an edge to a node that is not a person does not count either
    await graph.query(
        "MATCH (p:Person {id: 'P2'}) CREATE (p)-[:KNOWS {created_at: $at}]->(:Elsewhere)",
        {"at": at("2026-01-10")},
        write=True,
    )
    await mg.knows(graph, "P6", "P3", at("2026-01-14"))
    await mg.knows(graph, "P3", "P6", at("2026-01-14"))  # the pair in both directions
    await graph.query(  # and twice one way
        """
        MATCH (a:Person {id: 'P3'}), (b:Person {id: 'P6'})
        CREATE (a)-[:KNOWS {id: 'ctc_again', created_at: $at}]->(b)
        """,
        {"at": at("2026-01-15")},
        write=True,
    )
    assert await _read(graph, end) == await _by_definition(graph, end)
    _, edges = await _read(graph, end)
    assert edges.count(("P3", "P6")) == 2
    assert ("P1", "P7") not in edges
    assert await people.erase_person(graph, "P3")
    after = await _read(graph, end)
    assert after == await _by_definition(graph, end)
    assert "P3" not in after[0]
    assert not any("P3" in edge for edge in after[1])
