"""graph/metrics.py: weekly metrics and fast-fail signals on hand-built graphs.

Every expected figure below was worked out by hand from the graph the test builds; the comments
show the arithmetic. Weeks (UTC): W01 starts 2025-12-29, W02 2026-01-05, W03 2026-01-12,
W04 2026-01-19.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.analytics.signals import PREFILTER, flagged
from app.analytics.weekly import weekly_rows
from app.analytics.weeks import week_range
from graph import import_refusals, metrics
from graph.db import Graph
from graph.people import erase_person
from graph.scope import Scope
from tests.support import metrics_graph as mg
from tests.support.metrics_graph import at, session

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


async def weekly(
    graph: Graph,
    first: str,
    last: str,
    tz: str = "UTC",
    *,
    scope: Scope | None = None,
    target_hours: float = 48,
) -> dict[str, dict[str, Any]]:
    weeks = week_range(first, last, tz, now=NOW)
    scope = scope or Scope()
    by_week, before = await metrics.weekly_aggregates(graph, weeks.params(), scope)
    rows = weekly_rows(
        weeks, by_week, before, target_hours=target_hours, scoped=not scope.everything
    )
    return {row["week"]: row for row in rows}


async def one_mentorship(graph: Graph, started_at: datetime = mg.LONG_AGO) -> None:
    await mg.program(graph)
    await mg.mentor(graph, "per_mentor", cohorts=["coh_a"])
    await mg.person(graph, "per_mentee", cohorts=["coh_a"])
    await mg.mentorship(graph, "mnt_1", "per_mentor", "per_mentee", started_at=started_at)


async def test_completion_rate_counts_late_cancellations_only(graph: Graph) -> None:
    await one_mentorship(graph)
    start = at("2026-01-07", "15:00")
    rows = [session("completed", at("2026-01-05", "08:00") + timedelta(hours=i)) for i in range(17)]
    rows += [
        session("no_show", at("2026-01-06")),
        session("no_show", at("2026-01-08")),
        # cancelled 23 h before the start: counts (less than 24 h)
        session("cancelled", start, cancelled_at=start - timedelta(hours=23)),
        # cancelled 25 h and exactly 24 h before: do not count
        session("cancelled", start, cancelled_at=start - timedelta(hours=25)),
        session("cancelled", start, cancelled_at=start - timedelta(hours=24)),
        # still to come: not counted
        session("scheduled", at("2026-01-11", "20:00")),
    ]
    await mg.sessions(graph, "mnt_1", rows)

    weeks = await weekly(graph, "2026-W01", "2026-W03")

    # 17 completed ÷ (17 completed + 2 no-shows + 1 late cancellation) = 17/20
    assert weeks["2026-W02"]["sessions_counted"] == 20
    assert weeks["2026-W02"]["session_completion_rate"] == 0.85
    for empty in ("2026-W01", "2026-W03"):
        assert weeks[empty]["sessions_counted"] == 0
        assert weeks[empty]["session_completion_rate"] is None


async def test_sentiment_delta_is_the_mean_over_completed_sessions(graph: Graph) -> None:
    await one_mentorship(graph)
    await mg.sessions(
        graph,
        "mnt_1",
        [
            session("completed", at("2026-01-05"), sentiment_pre=2, sentiment_post=4),  # +2
            session("completed", at("2026-01-06"), sentiment_pre=3, sentiment_post=3),  # 0
            session("completed", at("2026-01-07"), sentiment_pre=4, sentiment_post=3),  # -1
            session("completed", at("2026-01-08"), sentiment_pre=2, sentiment_post=3),  # +1
            session("completed", at("2026-01-09")),  # no sentiments: left out
            session("completed", at("2026-01-09"), sentiment_pre=3),  # only one: left out
            session("no_show", at("2026-01-10"), sentiment_pre=1, sentiment_post=5),  # not held
        ],
    )
    weeks = await weekly(graph, "2026-W01", "2026-W03")
    assert weeks["2026-W02"]["sentiment_delta"] == 0.5  # (2 + 0 - 1 + 1) / 4
    assert weeks["2026-W01"]["sentiment_delta"] is None
    assert weeks["2026-W03"]["sentiment_delta"] is None


async def test_sunday_night_and_monday_morning_fall_in_weeks_of_the_zone_asked(
    graph: Graph,
) -> None:
    await one_mentorship(graph)
    await mg.sessions(
        graph,
        "mnt_1",
        [
            session("completed", at("2026-01-18", "23:30")),  # Sunday of W03 in UTC
            session("completed", at("2026-01-19", "00:30")),  # Monday of W04 in UTC
        ],
    )
    utc = await weekly(graph, "2026-W03", "2026-W04")
    assert (utc["2026-W03"]["sessions_counted"], utc["2026-W04"]["sessions_counted"]) == (1, 1)

    # Berlin is UTC+1 in January: 00:30 and 01:30 on Monday, both in W04.
    berlin = await weekly(graph, "2026-W03", "2026-W04", "Europe/Berlin")
    assert berlin["2026-W03"]["sessions_counted"] == 0
    assert berlin["2026-W03"]["session_completion_rate"] is None
    assert berlin["2026-W04"]["sessions_counted"] == 2
    assert berlin["2026-W04"]["session_completion_rate"] == 1.0

    # New York is UTC-5: 18:30 and 19:30 on Sunday, both in W03.
    new_york = await weekly(graph, "2026-W03", "2026-W04", "America/New_York")
    assert new_york["2026-W03"]["sessions_counted"] == 2
    assert new_york["2026-W04"]["sessions_counted"] == 0
    assert str(new_york["2026-W04"]["starts_on"]) == "2026-01-19"


async def dropout_graph(graph: Graph) -> None:
    await mg.program(graph)
    await mg.mentor(graph, "per_mentor", capacity=10, cohorts=["coh_a"])
    for n in range(1, 7):
        await mg.person(graph, f"per_e{n}", cohorts=["coh_a"])
    # D1: abandoned after 2 completed sessions, 10 days after its start → dropout
    await mg.mentorship(
        graph,
        "mnt_d1",
        "per_mentor",
        "per_e1",
        status="abandoned",
        started_at=at("2026-01-05", "09:00"),
        ended_at=at("2026-01-15", "09:00"),
    )
    await mg.sessions(
        graph,
        "mnt_d1",
        [
            session("completed", at("2026-01-06")),
            session("completed", at("2026-01-08")),
            session("no_show", at("2026-01-12")),
            # logged as held after the mentorship ended: not before the abandonment
            session("completed", at("2026-01-16")),
        ],
    )
    # D2: abandoned after 3 completed sessions → not a dropout, retained
    await mg.mentorship(
        graph,
        "mnt_d2",
        "per_mentor",
        "per_e2",
        status="abandoned",
        started_at=at("2026-01-06", "09:00"),
        ended_at=at("2026-01-20", "09:00"),
    )
    await mg.sessions(
        graph,
        "mnt_d2",
        [session("completed", at(day)) for day in ("2026-01-07", "2026-01-09", "2026-01-13")],
    )
    # D3: active, no session yet → neither dropout nor decided for retention
    await mg.mentorship(
        graph, "mnt_d3", "per_mentor", "per_e3", started_at=at("2026-01-07", "09:00")
    )
    # D4: abandoned 1.5 days in, without any session
    await mg.mentorship(
        graph,
        "mnt_d4",
        "per_mentor",
        "per_e4",
        status="abandoned",
        started_at=at("2026-01-08", "09:00"),
        ended_at=at("2026-01-09", "21:00"),
    )
    # P5 declined, P6 still a proposal: both proposed in W02
    await mg.mentorship(
        graph,
        "mnt_p5",
        "per_mentor",
        "per_e5",
        status="declined",
        proposed_at=at("2026-01-09"),
        ended_at=at("2026-01-10"),
    )
    await mg.mentorship(
        graph, "mnt_p6", "per_mentor", "per_e6", status="proposed", proposed_at=at("2026-01-10")
    )


async def test_dropout_counts_abandonment_before_the_third_completed_session(
    graph: Graph,
) -> None:
    await dropout_graph(graph)
    weeks = await weekly(graph, "2026-W01", "2026-W03")
    # Started in W02: D1, D2, D3, D4. Abandoned before a third completed session: D1 (10 days),
    # D4 (1.5 days). D2 had its third before it was abandoned.
    assert weeks["2026-W02"]["dropout"] == {
        "rate": 0.5,  # 2 / 4
        "median_days_to_abandon": 5.75,  # median(10, 1.5)
        "early_abandoned": 2,
        "started": 4,
    }
    assert weeks["2026-W01"]["dropout"] == {
        "rate": None,
        "median_days_to_abandon": None,
        "early_abandoned": 0,
        "started": 0,
    }


async def test_matching_accuracy(graph: Graph) -> None:
    await dropout_graph(graph)
    weeks = await weekly(graph, "2026-W01", "2026-W03")
    # Proposed in W02 (each a day before its start, or as given): D1 is proposed on 01-04 (W01).
    # W01: D1 accepted → 1/1. W02: D2, D3, D4 accepted, P5 declined, P6 pending → 3/4.
    assert weeks["2026-W01"]["matching"]["acceptance_rate"] == 1.0
    assert weeks["2026-W02"]["matching"]["acceptance_rate"] == 0.75
    assert weeks["2026-W03"]["matching"]["acceptance_rate"] is None
    # Started in W02 with a known fate: D2 reached 3 sessions; D1 and D4 ended before → 1/3.
    # D3 is still going with fewer than 3: not counted yet.
    assert weeks["2026-W02"]["matching"]["retained_after_3_sessions"] == 0.3333
    assert weeks["2026-W03"]["matching"]["retained_after_3_sessions"] is None


async def test_mentor_cadence(graph: Graph) -> None:
    await mg.program(graph)
    await mg.mentor(graph, "per_mentor", capacity=10)
    for n in range(1, 5):
        await mg.person(graph, f"per_e{n}")
    # C1 active from W01; C2 runs inside W02; C3 ended before the range; C4 starts after it.
    await mg.mentorship(graph, "mnt_c1", "per_mentor", "per_e1", started_at=at("2025-12-29"))
    await mg.mentorship(
        graph,
        "mnt_c2",
        "per_mentor",
        "per_e2",
        status="completed",
        started_at=at("2026-01-07"),
        ended_at=at("2026-01-10"),
    )
    await mg.mentorship(
        graph,
        "mnt_c3",
        "per_mentor",
        "per_e3",
        status="completed",
        started_at=at("2025-12-01"),
        ended_at=at("2025-12-20"),
    )
    await mg.mentorship(graph, "mnt_c4", "per_mentor", "per_e4", started_at=at("2026-01-20"))
    await mg.sessions(
        graph,
        "mnt_c1",
        [
            session("completed", at("2026-01-01")),  # W01, first: no gap
            session("completed", at("2026-01-06")),  # W02, 5 days after the previous
            session("completed", at("2026-01-13")),  # W03, 7 days
            session("no_show", at("2026-01-14")),  # not held: not a gap
            session("completed", at("2026-01-16")),  # W03, 3 days
        ],
    )
    await mg.sessions(
        graph,
        "mnt_c2",
        [
            session("completed", at("2026-01-08")),  # W02, first
            session("completed", at("2026-01-09", "22:00")),  # W02, 1.5 days
        ],
    )
    weeks = await weekly(graph, "2026-W01", "2026-W03")
    cadence = {week: row["mentor_cadence"] for week, row in weeks.items()}
    # W01: 1 completed / 1 active (C1); W02: 3 / 2 (C1, C2); W03: 2 / 1 (C2 ended in W02)
    assert cadence["2026-W01"] == {
        "sessions_per_active_mentorship": 1.0,
        "median_days_between_sessions": None,
    }
    assert cadence["2026-W02"] == {
        "sessions_per_active_mentorship": 1.5,
        "median_days_between_sessions": 3.25,  # median(5, 1.5)
    }
    assert cadence["2026-W03"] == {
        "sessions_per_active_mentorship": 2.0,
        "median_days_between_sessions": 5.0,  # median(7, 3)
    }
    # Before any mentorship started there is nothing to divide by.
    earlier = await weekly(graph, "2025-W40", "2025-W41")
    assert earlier["2025-W40"]["mentor_cadence"]["sessions_per_active_mentorship"] is None


async def test_response_sla_percentiles_and_share_within_target(graph: Graph) -> None:
    await one_mentorship(graph)
    asked = at("2026-01-06", "08:00")
    hours = [2, 5, 10, 30, 47, 48, 60, 100]
    rows = [
        session(
            "completed",
            asked + timedelta(days=9),
            requested_at=asked,
            responded_at=asked + timedelta(hours=h),
        )
        for h in hours
    ]
    rows += [
        # unanswered: no duration, not a sample
        session("scheduled", asked + timedelta(days=9), requested_at=asked),
        # asked in W03: counts there
        session(
            "completed",
            at("2026-01-20"),
            requested_at=at("2026-01-13"),
            responded_at=at("2026-01-13", "11:00"),
        ),
    ]
    await mg.sessions(graph, "mnt_1", rows)
    weeks = await weekly(graph, "2026-W01", "2026-W03")
    # sorted 2 5 10 30 47 48 60 100; p50 at rank 3.5 → 30 + 0.5·17 = 38.5;
    # p90 at rank 6.3 → 60 + 0.3·40 = 72; within 48 h: 6 of 8
    assert weeks["2026-W02"]["response_sla"] == {
        "p50_hours": 38.5,
        "p90_hours": 72.0,
        "within_target_share": 0.75,
        "samples": 8,
    }
    assert weeks["2026-W03"]["response_sla"] == {
        "p50_hours": 1.0,
        "p90_hours": 1.0,
        "within_target_share": 1.0,
        "samples": 1,
    }
    assert weeks["2026-W01"]["response_sla"] == {
        "p50_hours": None,
        "p90_hours": None,
        "within_target_share": None,
        "samples": 0,
    }
    # A 24 h target: 2, 5, 10 → 3 of 8
    strict = await weekly(graph, "2026-W02", "2026-W02", target_hours=24)
    assert strict["2026-W02"]["response_sla"]["within_target_share"] == 0.375


async def portability_graph(graph: Graph) -> None:
    await mg.program(graph)
    await mg.program(graph, "prg_b", "coh_b")
    await mg.person(graph, "per_a", cohorts=["coh_a"])
    await mg.person(graph, "per_b", cohorts=["coh_b"])
    await mg.export(graph, "exp_1", "per_a", "self", at("2026-01-05"))
    await mg.export(graph, "exp_2", "per_a", "plt_a", at("2026-01-06"))
    await mg.export(graph, "exp_3", "per_b", "plt_b", at("2026-01-07"))
    await mg.export(graph, "exp_4", "per_b", "plt_b", at("2026-01-14"))
    await mg.import_record(graph, "imp_1", "applied", "plt_a", at("2026-01-06"), "per_a")
    await mg.import_record(graph, "imp_2", "applied", "plt_c", at("2026-01-07"), "per_b")
    await import_refusals.count_refusal(
        graph, at=at("2026-01-08"), platform_id="plt_d", problem="signature-invalid"
    )
    await mg.import_record(graph, "imp_4", "dry_run", "plt_e", at("2026-01-08"), "per_a")


async def test_portability_adoption(graph: Graph) -> None:
    await portability_graph(graph)
    weeks = await weekly(graph, "2026-W01", "2026-W03")
    assert weeks["2026-W02"]["portability"] == {
        "bundles_exported": 3,
        "imports_accepted": 2,
        "imports_rejected": 1,
        "rejections": [{"platform_id": "plt_d", "problem": "signature-invalid", "count": 1}],
        "partner_platforms": 3,  # plt_a (export and import), plt_b, plt_c; not self, not plt_d
    }
    assert weeks["2026-W01"]["portability"] == {
        "bundles_exported": 0,
        "imports_accepted": 0,
        "imports_rejected": 0,
        "rejections": [],
        "partner_platforms": 0,
    }
    # Program A: per_a's exports and the import that landed on per_a; rejected ones are nobody's.
    scoped = await weekly(graph, "2026-W02", "2026-W03", scope=Scope(program_id="prg_a"))
    assert scoped["2026-W02"]["portability"] == {
        "bundles_exported": 2,
        "imports_accepted": 1,
        "imports_rejected": None,
        "rejections": None,
        "partner_platforms": 1,
    }
    assert scoped["2026-W03"]["portability"]["bundles_exported"] == 0


async def test_erased_peoples_exports_and_imports_still_count(graph: Graph) -> None:
    # Erasure turns per_a into a tombstone that keeps its `OF` exports, `FOR` imports and
    # memberships: the portability figures are about exports and imports, not about people.
    await portability_graph(graph)
    await erase_person(graph, "per_a", now=at("2026-02-01"))
    weeks = await weekly(graph, "2026-W02", "2026-W02")
    assert weeks["2026-W02"]["portability"]["bundles_exported"] == 3
    assert weeks["2026-W02"]["portability"]["imports_accepted"] == 2
    assert weeks["2026-W02"]["portability"]["partner_platforms"] == 3
    for scope in (Scope(program_id="prg_a"), Scope(cohort_id="coh_a")):
        scoped = await weekly(graph, "2026-W02", "2026-W02", scope=scope)
        assert scoped["2026-W02"]["portability"] == {
            "bundles_exported": 2,
            "imports_accepted": 1,
            "imports_rejected": None,
            "rejections": None,
            "partner_platforms": 1,
        }


async def test_filters_keep_to_the_program_or_cohort(graph: Graph) -> None:
    await mg.program(graph)
    await mg.program(graph, "prg_a", "coh_a2", cohort_name="Second cohort of A")
    await mg.program(graph, "prg_b", "coh_b")
    await mg.mentor(graph, "per_mentor", capacity=5)
    for mentee, cohort in (("per_1", "coh_a"), ("per_2", "coh_a2"), ("per_3", "coh_b")):
        await mg.person(graph, mentee)
        await mg.mentorship(
            graph, f"mnt_{mentee}", "per_mentor", mentee, cohort, started_at=mg.LONG_AGO
        )
    await mg.sessions(graph, "mnt_per_1", [session("completed", at("2026-01-06"))])
    await mg.sessions(graph, "mnt_per_2", [session("no_show", at("2026-01-06"))])
    await mg.sessions(
        graph,
        "mnt_per_3",
        [session("no_show", at("2026-01-06")), session("no_show", at("2026-01-07"))],
    )

    async def counted(scope: Scope) -> tuple[int, float | None]:
        row = (await weekly(graph, "2026-W02", "2026-W02", scope=scope))["2026-W02"]
        return row["sessions_counted"], row["session_completion_rate"]

    assert await counted(Scope()) == (4, 0.25)
    assert await counted(Scope(program_id="prg_a")) == (2, 0.5)
    assert await counted(Scope(cohort_id="coh_a")) == (1, 1.0)
    assert await counted(Scope(programs=frozenset({"prg_b"}))) == (2, 0.0)
    assert await counted(Scope(programs=frozenset({"prg_none"}))) == (0, None)


# --- fast-fail ------------------------------------------------------------------------------


async def flags(graph: Graph, scope: Scope | None = None) -> dict[str, list[str]]:
    rows = await metrics.fast_fail_rows(
        graph, scope or Scope(), now=NOW, target_hours=48, **PREFILTER
    )
    return {
        item["mentorship_id"]: [reason["code"] for reason in item["reasons"]]
        for item in flagged(rows, now=NOW, target_hours=48)
    }


async def ff_mentorship(
    graph: Graph, name: str, sessions: list[dict[str, Any]], **fields: Any
) -> None:
    await mg.person(graph, f"per_{name}")
    fields.setdefault("started_at", NOW - timedelta(days=60))
    await mg.mentorship(graph, f"mnt_{name}", "per_mentor", f"per_{name}", **fields)
    if sessions:
        await mg.sessions(graph, f"mnt_{name}", sessions)


def held(days_ago: float, **fields: Any) -> dict[str, Any]:
    return session("completed", NOW - timedelta(days=days_ago), **fields)


def missed(days_ago: float) -> dict[str, Any]:
    return session("no_show", NOW - timedelta(days=days_ago))


async def test_no_completed_session_14_days_after_the_start(graph: Graph) -> None:
    await mg.program(graph)
    await mg.mentor(graph, "per_mentor", capacity=20)
    await ff_mentorship(graph, "late", [missed(3)], started_at=NOW - timedelta(days=15))
    await ff_mentorship(graph, "young", [], started_at=NOW - timedelta(days=13))
    await ff_mentorship(graph, "started", [held(2)], started_at=NOW - timedelta(days=20))
    await ff_mentorship(graph, "paused", [], status="paused", started_at=NOW - timedelta(days=30))
    found = await flags(graph)
    assert found == {"mnt_late": ["no-completed-session-14-days"]}
    rows = await metrics.fast_fail_rows(graph, Scope(), now=NOW, target_hours=48, **PREFILTER)
    (item,) = flagged(rows, now=NOW, target_hours=48)
    assert item["reasons"][0]["detail"] == (
        "No session has been completed in the 15 days since the mentorship started on 2026-02-15."
    )
    assert (item["mentor_id"], item["mentee_id"], item["cohort_id"], item["program_id"]) == (
        "per_mentor",
        "per_late",
        "coh_a",
        "prg_a",
    )


async def test_two_no_shows_in_a_row(graph: Graph) -> None:
    await mg.program(graph)
    await mg.mentor(graph, "per_mentor", capacity=20)
    # the last two held-or-missed sessions were missed (a cancellation between them is skipped)
    await ff_mentorship(
        graph,
        "streak",
        [held(30), missed(20), session("cancelled", NOW - timedelta(days=15)), missed(10)],
    )
    # two missed, then one held: recovered
    await ff_mentorship(graph, "recovered", [missed(30), missed(20), held(10)])
    # missed, held, missed: never two in a row
    await ff_mentorship(graph, "apart", [missed(30), held(20), missed(10)])
    # paused mentorships are watched too; ended ones are not
    await ff_mentorship(graph, "paused", [held(40), missed(20), missed(10)], status="paused")
    await ff_mentorship(
        graph,
        "ended",
        [held(40), missed(20), missed(10)],
        status="abandoned",
        ended_at=NOW - timedelta(days=5),
    )
    assert await flags(graph) == {
        "mnt_streak": ["two-no-shows-in-a-row"],
        "mnt_paused": ["two-no-shows-in-a-row"],
    }


async def test_sentiment_drop_of_one_point_or_more(graph: Graph) -> None:
    await mg.program(graph)
    await mg.mentor(graph, "per_mentor", capacity=20)
    await ff_mentorship(
        graph,
        "drop",
        [held(20, sentiment_pre=3, sentiment_post=5), held(5, sentiment_pre=4, sentiment_post=3)],
    )
    await ff_mentorship(graph, "small", [held(5, sentiment_pre=4, sentiment_post=3.5)])
    await ff_mentorship(
        graph,
        "earlier",
        [held(20, sentiment_pre=5, sentiment_post=2), held(5, sentiment_pre=3, sentiment_post=3)],
    )
    found = await flags(graph)
    assert found == {"mnt_drop": ["sentiment-drop"]}
    rows = await metrics.fast_fail_rows(graph, Scope(), now=NOW, target_hours=48, **PREFILTER)
    (item,) = flagged(rows, now=NOW, target_hours=48)
    assert item["reasons"][0]["detail"] == (
        "Sentiment fell by 1 point in the latest session (2026-02-25): 4 before, 3 after."
    )


async def test_response_sla_breached_twice(graph: Graph) -> None:
    await mg.program(graph)
    await mg.mentor(graph, "per_mentor", capacity=20)
    asked = NOW - timedelta(days=20)

    def answered(hours: float) -> dict[str, Any]:
        return held(10, requested_at=asked, responded_at=asked + timedelta(hours=hours))

    await ff_mentorship(graph, "twice", [answered(49), answered(72), answered(3)])
    await ff_mentorship(
        graph,
        "open",
        [answered(50), session("scheduled", NOW + timedelta(days=1), requested_at=asked)],
    )
    await ff_mentorship(graph, "once", [answered(49), answered(48)])
    # a cancelled session's open request is moot
    await ff_mentorship(
        graph,
        "moot",
        [answered(49), session("cancelled", NOW - timedelta(days=1), requested_at=asked)],
    )
    found = await flags(graph)
    assert found == {
        "mnt_twice": ["response-sla-breached-twice"],
        "mnt_open": ["response-sla-breached-twice"],
    }
    rows = await metrics.fast_fail_rows(graph, Scope(), now=NOW, target_hours=48, **PREFILTER)
    details = {
        item["mentorship_id"]: item["reasons"][0]["detail"]
        for item in flagged(rows, now=NOW, target_hours=48)
    }
    assert details["mnt_open"] == (
        "2 requests breached the 48 hours response target (1 answered late and 1 still unanswered)."
    )


async def test_a_mentorship_lists_every_signal_it_shows_and_filters_apply(graph: Graph) -> None:
    await mg.program(graph)
    await mg.program(graph, "prg_b", "coh_b")
    await mg.mentor(graph, "per_mentor", capacity=20)
    asked = NOW - timedelta(days=20)
    await ff_mentorship(
        graph,
        "all",
        [
            missed(12),
            session(
                "no_show",
                NOW - timedelta(days=5),
                requested_at=asked,
                responded_at=asked + timedelta(hours=60),
            ),
            session("scheduled", NOW + timedelta(days=2), requested_at=asked),
        ],
        started_at=NOW - timedelta(days=30),
    )
    await ff_mentorship(graph, "other", [held(9), missed(3), missed(2)], cohort_id="coh_b")
    assert await flags(graph) == {
        "mnt_all": [
            "no-completed-session-14-days",
            "two-no-shows-in-a-row",
            "response-sla-breached-twice",
        ],
        "mnt_other": ["two-no-shows-in-a-row"],
    }
    assert list(await flags(graph, Scope(program_id="prg_b"))) == ["mnt_other"]
    assert list(await flags(graph, Scope(cohort_id="coh_a"))) == ["mnt_all"]
    assert list(await flags(graph, Scope(programs=frozenset({"prg_a"})))) == ["mnt_all"]
