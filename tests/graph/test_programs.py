"""graph/programs.py: programs, cohorts with 3-5 outcomes, membership and measurements."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from graph import programs
from graph.db import Graph
from graph.errors import InvalidError, NotFoundError
from graph.pagination import PageRequest
from tests import builders


async def test_cohort_keeps_its_outcomes_in_order(graph: Graph) -> None:
    program = await builders.program(graph, "Leaders")
    defined = [builders.outcome(key) for key in ("readiness", "promotion", "network")]
    cohort = await programs.create_cohort(
        graph, program["id"], {"name": "Spring", "starts_on": date(2030, 3, 1)}, defined
    )
    assert cohort["program_id"] == program["id"]
    assert cohort["starts_on"] == date(2030, 3, 1)
    assert [o["key"] for o in cohort["outcomes"]] == ["readiness", "promotion", "network"]
    assert cohort["outcomes"][0] == {
        "key": "readiness",
        "name": "Outcome readiness",
        "metric": "self-assessed readiness",
        "baseline": 2.0,
        "target": 4.0,
        "unit": "points",
        "due_date": date(2030, 6, 30),
    }
    assert await programs.get_cohort(graph, cohort["id"]) == cohort


@pytest.mark.parametrize("count", [2, 6])
async def test_outcome_count_is_enforced(graph: Graph, count: int) -> None:
    program = await builders.program(graph)
    with pytest.raises(InvalidError):
        await programs.create_cohort(graph, program["id"], {"name": "C"}, builders.outcomes(count))
    rows = await graph.query("MATCH (n) WHERE n:Cohort OR n:Outcome RETURN count(n) AS n")
    assert rows[0]["n"] == 0


async def test_duplicate_outcome_keys_are_refused(graph: Graph) -> None:
    program = await builders.program(graph)
    same = [builders.outcome("a"), builders.outcome("a"), builders.outcome("b")]
    with pytest.raises(InvalidError):
        await programs.create_cohort(graph, program["id"], {"name": "C"}, same)


async def test_cohort_of_unknown_program_writes_nothing(graph: Graph) -> None:
    with pytest.raises(NotFoundError):
        await programs.create_cohort(graph, "prg_nobody", {"name": "C"}, builders.outcomes())
    rows = await graph.query("MATCH (n) WHERE n:Cohort OR n:Outcome RETURN count(n) AS n")
    assert rows[0]["n"] == 0


async def test_lists_page_and_scope(graph: Graph) -> None:
    first = await builders.program(graph, "First")
    second = await builders.program(graph, "Second")
    everything = await programs.list_programs(graph, PageRequest())
    assert [p["id"] for p in everything.items] == [first["id"], second["id"]]
    scoped = await programs.list_programs(graph, PageRequest(), within=frozenset({second["id"]}))
    assert [p["id"] for p in scoped.items] == [second["id"]]
    c1 = await builders.cohort(graph, first["id"], "C1")
    c2 = await builders.cohort(graph, first["id"], "C2")
    await builders.cohort(graph, second["id"], "Elsewhere")
    page = await programs.list_cohorts(graph, first["id"], PageRequest(limit=1))
    assert [c["id"] for c in page.items] == [c1["id"]]
    assert page.next_cursor is not None
    everything_first = await programs.list_cohorts(graph, first["id"], PageRequest())
    assert [c["id"] for c in everything_first.items] == [c1["id"], c2["id"]]


async def test_measurements_need_a_member_and_a_known_key(graph: Graph) -> None:
    cohort = await builders.cohort(graph)
    member = await builders.person(graph, cohort_id=cohort["id"])
    outsider = await builders.person(graph)
    at = datetime(2030, 4, 1, 12, tzinfo=UTC)
    recorded = await programs.record_measurement(graph, cohort["id"], "o1", member["id"], 3.5, at)
    assert recorded["value"] == 3.5
    assert recorded["measured_at"] == at
    assert recorded["outcome_key"] == "o1"
    assert recorded["person_id"] == member["id"]
    assert recorded["id"].startswith("msr_")
    with pytest.raises(NotFoundError, match="no outcome"):
        await programs.record_measurement(graph, cohort["id"], "nope", member["id"], 1, at)
    with pytest.raises(NotFoundError):
        await programs.record_measurement(graph, "coh_nobody", "o1", member["id"], 1, at)
    with pytest.raises(InvalidError, match="not a member"):
        await programs.record_measurement(graph, cohort["id"], "o1", outsider["id"], 1, at)
    rows = await graph.query("MATCH (m:Measurement) RETURN count(m) AS n")
    assert rows[0]["n"] == 1
    assert await programs.is_member(graph, member["id"], cohort["id"])
    assert not await programs.is_member(graph, outsider["id"], cohort["id"])
