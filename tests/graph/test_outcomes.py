"""graph/outcomes.py with app/analytics/outcomes.py: attainment of a cohort's outcomes."""

from __future__ import annotations

from datetime import datetime

from app.analytics.outcomes import attainment
from graph import outcomes, people, programs
from graph.db import Graph
from tests import builders
from tests.support.metrics_graph import at


async def measure(
    graph: Graph, cohort_id: str, key: str, person_id: str, value: float, measured: datetime
) -> None:
    await programs.record_measurement(graph, cohort_id, key, person_id, value, measured)


async def test_share_of_mentees_at_or_above_target_by_latest_measurement(graph: Graph) -> None:
    program = await builders.program(graph)
    cohort = await programs.create_cohort(
        graph,
        program["id"],
        {"name": "Spring"},
        [
            builders.outcome("readiness", baseline=2.0, target=4.0),
            # lower is better: weeks to a promotion, from 10 down to 6
            builders.outcome("weeks-to-promotion", baseline=10.0, target=6.0, unit="weeks"),
            builders.outcome("untouched", baseline=3.0, target=3.0),
        ],
    )
    cid = cohort["id"]
    a = await builders.person(graph, "A", cohort_id=cid)
    b = await builders.person(graph, "B", cohort_id=cid)
    c = await builders.person(graph, "C", cohort_id=cid)
    erased = await builders.person(graph, "E", cohort_id=cid)
    mentor = await builders.mentor(graph, "M")

    # A: the later measurement counts even though it was recorded first
    await measure(graph, cid, "readiness", a["id"], 4.5, at("2026-02-01"))
    await measure(graph, cid, "readiness", a["id"], 3.0, at("2026-01-01"))
    await measure(graph, cid, "readiness", b["id"], 4.0, at("2026-02-01"))  # exactly on target
    await measure(graph, cid, "readiness", erased["id"], 5.0, at("2026-02-01"))
    await measure(graph, cid, "weeks-to-promotion", a["id"], 5.0, at("2026-02-01"))
    await measure(graph, cid, "weeks-to-promotion", b["id"], 6.0, at("2026-02-01"))
    await measure(graph, cid, "weeks-to-promotion", c["id"], 7.0, at("2026-02-01"))
    await graph.query(
        "MATCH (p:Person {id: $id}), (c:Cohort {id: $cohort}) CREATE (p)-[:MEMBER_OF]->(c)",
        {"id": mentor["id"], "cohort": cid},
        write=True,
    )
    await measure(graph, cid, "readiness", mentor["id"], 5.0, at("2026-02-01"))  # not a mentee
    assert await people.erase_person(graph, erased["id"])

    rows = [attainment(row) for row in await outcomes.cohort_outcomes(graph, cid)]
    assert [row["key"] for row in rows] == ["readiness", "weeks-to-promotion", "untouched"]
    readiness, promotion, untouched = rows
    # mentees: A, B, C and the erased one (anonymous now, still counted)
    assert readiness["mentees"] == 4
    # A 4.5 ✓, B 4.0 ✓, erased 5.0 ✓, C unmeasured ✗ → 3 / 4
    assert (readiness["at_or_above_target"], readiness["attainment_share"]) == (3, 0.75)
    latest = {entry["person_id"]: entry["value"] for entry in readiness["latest"]}
    assert latest[a["id"]] == 4.5
    assert latest[b["id"]] == 4.0
    assert mentor["id"] not in latest
    assert erased["id"] not in latest  # the tombstone has a new, unrelated id
    assert len(latest) == 3
    # lower is better: A 5 ✓, B 6 ✓ (on target), C 7 ✗ → 2 / 4
    assert (promotion["at_or_above_target"], promotion["attainment_share"]) == (2, 0.5)
    assert (untouched["at_or_above_target"], untouched["attainment_share"]) == (0, 0.0)
    assert untouched["latest"] == []
    assert readiness["due_date"].isoformat() == "2030-06-30"


async def test_a_cohort_without_mentees_has_no_share(graph: Graph) -> None:
    cohort = await builders.cohort(graph)
    rows = [attainment(row) for row in await outcomes.cohort_outcomes(graph, cohort["id"])]
    assert len(rows) == 3
    assert all(row["mentees"] == 0 and row["attainment_share"] is None for row in rows)
