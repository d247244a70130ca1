"""graph/matching.py with app/analytics/matching.py: who is suggested, in which order, and why.

Scores worked out by hand with the weights overlap 0.45, timezone 0.20, contacts 0.15,
program 0.10, capacity 0.10 (see docs/metrics.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.analytics.matching import OUTSIDE_POOL_AT_MOST, Match, pool_suffices, rank
from graph import matching, people
from graph.db import Graph
from tests.support import metrics_graph as mg

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"


async def suggestions(
    graph: Graph, person_id: str = "per_me", *, language: str | None = None, **kwargs: Any
) -> list[Match]:
    mentee, candidates = await matching.match_facts(graph, person_id, **kwargs)
    assert mentee is not None
    return rank(mentee, candidates, now=NOW, limit=10, language_asked=language)


async def mentor(graph: Graph, person_id: str, **fields: Any) -> None:
    values: dict[str, Any] = {"discoverable": True, "timezone": BERLIN, "skills": ["python"]}
    values.update(fields)
    await mg.mentor(graph, person_id, **values)


async def base(graph: Graph) -> None:
    await mg.program(graph, cohort_name="Spring 2026")
    await mg.person(
        graph,
        "per_me",
        cohorts=["coh_a"],
        interests=["Python", "graphs"],
        timezone=BERLIN,
        discoverable=True,
    )


async def test_must_haves_keep_mentors_out(graph: Graph) -> None:
    await base(graph)
    await mentor(graph, "per_ok", skills=["python", "Graphs", "go"], capacity=2, cohorts=["coh_a"])
    await mentor(graph, "per_hidden", discoverable=False, skills=["python", "graphs"])
    await mentor(graph, "per_full", capacity=1)
    await mg.person(graph, "per_other")
    await mg.mentorship(graph, "mnt_full", "per_full", "per_other")
    await mentor(graph, "per_excluded")
    await matching.add_exclusion(graph, "per_me", "per_excluded")
    await mentor(graph, "per_excluder")
    await matching.add_exclusion(graph, "per_excluder", "per_me")
    await mentor(graph, "per_already")
    await mg.mentorship(
        graph, "mnt_already", "per_already", "per_me", status="proposed", goals=["python"]
    )
    await mentor(graph, "per_french", languages=["fr"])
    await mentor(graph, "per_no_role", capacity=3)
    await graph.query("MATCH (p:Person {id: 'per_no_role'}) SET p.roles = ['mentee']", write=True)
    await mentor(graph, "per_no_capacity", capacity=0)

    found = await suggestions(graph)
    assert [m.person_id for m in found] == ["per_ok"]
    # both interests covered 0.45, same zone 0.2, same cohort 0.1, room for 2 → 0.0667
    assert found[0].score == 0.8167
    assert found[0].reasons == [
        "You both care about graphs and python.",
        "You are in the same time zone right now.",
        "You are both in the cohort Spring 2026.",
        "They have room for 2 more mentees.",
    ]

    # asking for French lets the French speaker in, and only speakers of it
    french = await suggestions(graph, language="fr-CA")
    assert [m.person_id for m in french] == ["per_french"]

    # an ended mentorship does not keep a mentor out
    await graph.query(
        "MATCH (x:Mentorship {id: 'mnt_already'}) SET x.status = 'declined'", write=True
    )
    assert "per_already" in [m.person_id for m in await suggestions(graph)]
    # undoing the exclusion brings the mentor back
    await matching.remove_exclusion(graph, "per_me", "per_excluded")
    assert "per_excluded" in [m.person_id for m in await suggestions(graph)]


async def test_shared_contacts_rank_a_mentor_above_an_equal_stranger(graph: Graph) -> None:
    await base(graph)
    for person_id in ("per_friend", "per_stranger_b", "per_stranger_a"):
        await mentor(graph, person_id, capacity=1)
    await mg.person(graph, "per_kim", display_name="Kim Contact", discoverable=True)
    await mg.person(graph, "per_secret", display_name="Secret Sam", discoverable=False)
    for contact in ("per_kim", "per_secret"):
        await mg.knows(graph, "per_me", contact)
    await mg.knows(graph, "per_friend", "per_kim")
    await mg.knows(graph, "per_secret", "per_friend")  # recorded the other way round

    found = await suggestions(graph)
    assert [m.person_id for m in found] == ["per_friend", "per_stranger_a", "per_stranger_b"]
    # python of python+graphs 0.225, same zone 0.2, 2 shared contacts 0.1, room for 1 0.0333
    assert [m.score for m in found] == [0.5583, 0.4583, 0.4583]
    assert "You share 2 contacts: Kim Contact and 1 other." in found[0].reasons
    assert not any("Secret" in reason for m in found for reason in m.reasons)
    assert found[0].reasons[0] == "You both care about python."


async def test_cohort_filter_and_limit(graph: Graph) -> None:
    await base(graph)
    await mg.program(graph, "prg_b", "coh_b", program_name="Program B", cohort_name="Autumn")
    await mentor(graph, "per_in_a", cohorts=["coh_a"])
    await mentor(graph, "per_in_b", cohorts=["coh_b"])
    ids = [m.person_id for m in await suggestions(graph, cohort_id="coh_b")]
    assert ids == ["per_in_b"]
    ranked = await suggestions(graph)
    assert [m.person_id for m in ranked] == ["per_in_a", "per_in_b"]
    mentee, candidates = await matching.match_facts(graph, "per_me")
    assert mentee is not None
    assert len(rank(mentee, candidates, now=NOW, limit=1)) == 1


async def test_goals_of_the_mentees_mentorships_count_as_interests(graph: Graph) -> None:
    await base(graph)
    await mentor(graph, "per_old", capacity=1)
    await mentor(graph, "per_speaker", skills=["public speaking"], cohorts=["coh_a"])
    await mg.mentorship(
        graph,
        "mnt_old",
        "per_old",
        "per_me",
        status="completed",
        goals=["Public  Speaking"],
    )
    found = await suggestions(graph)
    assert found[0].person_id == "per_speaker"
    assert "You both care about public speaking." in found[0].reasons


async def test_exclusions_are_listed_and_idempotent(graph: Graph) -> None:
    await base(graph)
    await mentor(graph, "per_x")
    await matching.add_exclusion(graph, "per_me", "per_x")
    await matching.add_exclusion(graph, "per_me", "per_x")
    assert [row["person_id"] for row in await matching.exclusions(graph, "per_me")] == ["per_x"]
    await matching.remove_exclusion(graph, "per_me", "per_x")
    await matching.remove_exclusion(graph, "per_me", "per_x")
    assert await matching.exclusions(graph, "per_me") == []


async def test_erasure_removes_exclusions_both_ways(graph: Graph) -> None:
    await base(graph)
    await mentor(graph, "per_x")
    await matching.add_exclusion(graph, "per_me", "per_x")
    await matching.add_exclusion(graph, "per_x", "per_me")
    assert await people.erase_person(graph, "per_me")
    rows = await graph.query("MATCH ()-[e:EXCLUDES]->() RETURN count(e) AS n")
    assert rows[0]["n"] == 0


async def _ranked(graph: Graph, *, bounded: bool, limit: int = 10) -> list[Match]:
    mentee, candidates = await matching.match_facts(graph, "per_me", bounded=bounded)
    assert mentee is not None
    return rank(mentee, candidates, now=NOW, limit=limit)


async def test_the_pool_ranks_as_every_mentor_does_and_leaves_strangers_out(graph: Graph) -> None:
    await base(graph)
    await mg.program(graph, "prg_a", "coh_a2", cohort_name="Autumn 2026")
    await mentor(graph, "per_skill", skills=["Python", "graphs"], timezone="Asia/Tokyo")
    await mentor(graph, "per_half", skills=["go", "PYTHON"], capacity=1)
    await mentor(graph, "per_mate", skills=["cooking"], cohorts=["coh_a"])
    await mentor(graph, "per_program", skills=["cooking"], cohorts=["coh_a2"])
    await mentor(graph, "per_friend", skills=["cooking"])
    await mg.person(graph, "per_kim", discoverable=True)
    await mg.knows(graph, "per_me", "per_kim")
    await mg.knows(graph, "per_kim", "per_friend")
    for n in range(12):  # strangers: nothing shared, only a zone and room
        zone = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")[n % 3]
        await mentor(graph, f"per_stranger_{n:02d}", skills=["cooking"], timezone=zone)

    full = await _ranked(graph, bounded=False, limit=50)
    pool = await _ranked(graph, bounded=True, limit=50)
    pooled = {m.person_id for m in pool}
    assert pooled == {"per_skill", "per_half", "per_mate", "per_program", "per_friend"}
    assert len(full) == 17
    # wherever the pool says it suffices, its top is exactly the full scan's top
    sufficed = [k for k in range(1, 18) if pool_suffices(pool[:k], k)]
    assert sufficed, "the pool should suffice for the first places"
    for k in sufficed:
        assert pool[:k] == full[:k]
    # a stranger scores at most the bound; the pool's last sufficing place beats it
    strangers = [m for m in full if m.person_id.startswith("per_stranger")]
    assert max(m.score for m in strangers) <= OUTSIDE_POOL_AT_MOST
    assert max(sufficed) == len([m for m in pool if m.score > OUTSIDE_POOL_AT_MOST])


async def test_the_pool_applies_every_must_have(graph: Graph) -> None:
    await base(graph)
    await mentor(graph, "per_ok", skills=["python"], cohorts=["coh_a"])
    await mentor(graph, "per_hidden", discoverable=False, skills=["python"], cohorts=["coh_a"])
    await mentor(graph, "per_excluded", skills=["python"], cohorts=["coh_a"])
    await matching.add_exclusion(graph, "per_excluded", "per_me")
    await mentor(graph, "per_full", capacity=1, skills=["python"])
    await mg.person(graph, "per_other")
    await mg.mentorship(graph, "mnt_full", "per_full", "per_other")
    await mg.person(graph, "per_mentee_only", skills=["python"], discoverable=True)
    assert [m.person_id for m in await _ranked(graph, bounded=True)] == ["per_ok"]


async def test_skills_query_escapes_and_skips_what_cannot_be_searched(graph: Graph) -> None:
    assert matching.skills_query([]) is None
    assert matching.skills_query(["++", " "]) is None
    query = matching.skills_query(['say "hi"', "back\\slash", "C++", "public  speaking"])
    assert query == (
        '+roles:mentor +(skills:"C++" skills:"back\\\\slash" skills:"public  speaking" '
        'skills:"say \\"hi\\"")'
    )
    await mg.program(graph, cohort_name="Spring 2026")
    await mg.person(
        graph,
        "per_me",
        interests=['say "hi"', "back\\slash", "C++", "AND", "(", "python OR"],
        timezone=BERLIN,
    )
    await mentor(graph, "per_cpp", skills=["c++"])
    found = await _ranked(graph, bounded=True)
    assert [m.person_id for m in found] == ["per_cpp"]
    assert "You both care about c++." in found[0].reasons
