"""The weekly metrics against a second, plain-Python reading of docs/metrics.md.

A small fixed graph (every timestamp chosen near a boundary: Sunday night and Monday morning in
UTC, Kolkata and New York, the daylight-saving change in New York on 2026-03-08, cancellations
23, 24 and 25 hours ahead, answers after 47, 48 and 49 hours, a session held after its
mentorship ended, an erased member who exported) is written to Neo4j, and every figure of every
week is computed twice: by the service (`graph.metrics` + `app.analytics.weekly`) and by the
functions below, which follow the document's words with plain Python over the same data — no
Cypher, no `app.analytics` helpers. Both must agree exactly, in three zones and three scopes.

Weeks (UTC): W09 starts Mon 2026-02-23, W10 Mon 03-02, W11 Mon 03-09, W12 Mon 03-16.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from graph import import_refusals
from graph.db import Graph
from graph.people import erase_person
from graph.scope import Scope
from tests.graph.test_metrics import weekly
from tests.support import metrics_graph as mg
from tests.support.metrics_graph import at

FIRST, LAST = "2026-W09", "2026-W12"
TARGET_HOURS = 48
PROGRAMS = {"prg_a": ("coh_a", "coh_a2"), "prg_b": ("coh_b",)}


@dataclass
class Held:
    status: str
    scheduled_at: datetime
    requested_at: datetime | None = None
    responded_at: datetime | None = None
    sentiment: tuple[int, int] | None = None
    cancelled_at: datetime | None = None


@dataclass
class Pairing:
    id: str
    mentor: str
    mentee: str
    cohort: str
    status: str
    proposed_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    sessions: list[Held] = field(default_factory=list)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


PAIRINGS = [
    Pairing(
        "mnt_1",
        "per_m1",
        "per_e1",
        "coh_a",
        "active",
        at("2026-02-20"),
        at("2026-02-22"),
        sessions=[
            Held("completed", at("2026-02-24"), at("2026-02-20"), at("2026-02-22"), (3, 4)),
            Held(
                "completed",
                at("2026-03-03"),
                at("2026-02-27", "09:00"),
                at("2026-03-01", "10:00"),
                (4, 4),
            ),
            Held(
                "no_show",
                at("2026-03-08", "20:00"),
                at("2026-03-06", "20:00"),
                at("2026-03-08", "19:00"),
            ),
            Held("cancelled", at("2026-03-09", "02:00"), cancelled_at=at("2026-03-08", "03:00")),
            Held("cancelled", at("2026-03-10"), cancelled_at=at("2026-03-10") - hours(24)),
            Held("cancelled", at("2026-03-11"), cancelled_at=at("2026-03-11") - hours(25)),
            Held("cancelled", at("2026-03-12"), cancelled_at=at("2026-03-12", "11:00")),
            Held("cancelled", at("2026-03-13")),
            # answered after 16.33125 hours: a rounding tie
            Held(
                "completed",
                at("2026-03-17"),
                at("2026-03-16", "01:00"),
                at("2026-03-16", "01:00") + timedelta(hours=16, minutes=19, seconds=52.5),
                (2, 5),
            ),
            Held("completed", at("2026-03-17", "04:30"), sentiment=(5, 3)),
            Held("scheduled", at("2026-03-20"), at("2026-03-17")),
        ],
    ),
    Pairing(
        "mnt_2",
        "per_m1",
        "per_e2",
        "coh_a2",
        "abandoned",
        at("2026-02-25"),
        at("2026-03-01", "18:45"),
        at("2026-03-12"),
        sessions=[
            Held("completed", at("2026-03-03", "12:00"), sentiment=(3, 2)),
            Held("completed", at("2026-03-05", "12:00")),
            Held("completed", at("2026-03-13", "12:00")),  # after the end: not held before it
        ],
    ),
    Pairing(
        "mnt_3",
        "per_m2",
        "per_e3",
        "coh_b",
        "completed",
        at("2026-02-23", "01:00"),
        at("2026-02-24", "09:00"),
        at("2026-03-18"),
        sessions=[
            Held("completed", at("2026-02-25"), at("2026-02-23"), at("2026-02-23", "11:00")),
            Held("completed", at("2026-03-04"), sentiment=(1, 1)),
            Held("completed", at("2026-03-11", "23:59"), at("2026-03-09"), at("2026-03-11")),
        ],
    ),
    Pairing("mnt_4", "per_m2", "per_e4", "coh_b", "declined", at("2026-03-09", "02:00")),
    Pairing("mnt_5", "per_m1", "per_e5", "coh_a", "proposed", at("2026-03-10")),
    Pairing(
        "mnt_6",
        "per_m2",
        "per_e6",
        "coh_b",
        "abandoned",
        at("2026-03-07"),
        at("2026-03-08", "20:00"),
        at("2026-03-09", "10:00"),
    ),
    Pairing(
        "mnt_7",
        "per_m1",
        "per_e6",
        "coh_a",
        "paused",
        at("2026-03-01"),
        at("2026-03-02", "00:00"),
        sessions=[Held("no_show", at("2026-03-02", "04:30"))],
    ),
    Pairing(
        "mnt_8",
        "per_m1",
        "per_e4",
        "coh_a2",
        "completed",
        at("2026-02-01"),
        at("2026-02-02"),
        at("2026-03-02", "02:00"),
        sessions=[
            Held("completed", at("2026-02-09")),
            Held("completed", at("2026-02-16")),
            Held("completed", at("2026-02-23", "03:00")),
        ],
    ),
]
EXPORTS = [
    ("exp_1", "per_e1", "self", at("2026-03-02")),
    ("exp_2", "per_e1", "plt_a", at("2026-03-08", "20:00")),
    ("exp_3", "per_e4", "plt_b", at("2026-03-09", "02:00")),
    ("exp_4", "per_e3", "plt_a", at("2026-03-16")),
    ("exp_5", "per_e4", "self", at("2026-03-03")),
]
IMPORTS = [
    ("imp_1", "applied", "plt_c", at("2026-03-04"), "per_e1"),
    ("imp_2", "applied", "plt_a", at("2026-03-09", "02:00"), "per_e4"),
    ("imp_3", "dry_run", "plt_d", at("2026-03-05"), "per_e1"),
    ("imp_4", "applied", "plt_e", at("2026-03-17"), "per_e2"),
]
REFUSALS = [
    (at("2026-03-08", "20:00"), "plt_a", "signature-invalid"),
    (at("2026-03-08", "20:14"), "plt_a", "signature-invalid"),
    (at("2026-03-09", "02:00"), "unknown", "bundle-malformed"),
    (at("2026-03-01", "18:45"), "plt_b", "bundle-expired"),
]
ERASED = "per_e4"


async def write(graph: Graph) -> None:
    for program, cohorts in PROGRAMS.items():
        for cohort in cohorts:
            await mg.program(graph, program, cohort)
    for mentor in ("per_m1", "per_m2"):
        await mg.mentor(graph, mentor, capacity=10)
    for mentee in sorted({p.mentee for p in PAIRINGS}):
        await mg.person(graph, mentee)
    for p in PAIRINGS:
        await mg.mentorship(
            graph,
            p.id,
            p.mentor,
            p.mentee,
            p.cohort,
            status=p.status,
            proposed_at=p.proposed_at,
            started_at=p.started_at,
            ended_at=p.ended_at,
        )
        rows = []
        for s in p.sessions:
            row: dict[str, Any] = {
                "status": s.status,
                "scheduled_at": s.scheduled_at,
                "requested_at": s.requested_at,
                "responded_at": s.responded_at,
                "cancelled_at": s.cancelled_at,
            }
            if s.sentiment:
                row["sentiment_pre"], row["sentiment_post"] = s.sentiment
            rows.append(row)
        if rows:
            await mg.sessions(graph, p.id, rows)
    for export_id, person, audience, moment in EXPORTS:
        await mg.export(graph, export_id, person, audience, moment)
    for import_id, status, platform, moment, person in IMPORTS:
        await mg.import_record(graph, import_id, status, platform, moment, person)
    for moment, platform, problem in REFUSALS:
        await import_refusals.count_refusal(graph, at=moment, platform_id=platform, problem=problem)
    # Erasure ends nothing here (per_e4's mentorships are over) but turns them into a tombstone.
    await erase_person(graph, ERASED, now=at("2026-03-25"))


# --- the second path: docs/metrics.md in plain Python ----------------------------------------


def week_of(moment: datetime, tz: str) -> str:
    year, week, _ = moment.astimezone(ZoneInfo(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(key: str, tz: str) -> tuple[datetime, datetime]:
    year, week = int(key[:4]), int(key[6:])
    monday = date.fromisocalendar(year, week, 1)
    zone = ZoneInfo(tz)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    after = monday + timedelta(days=7)
    end = datetime(after.year, after.month, after.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)  # UTC: aware arithmetic across offsets


def four_places(value: Fraction | None) -> float | None:
    """Half to even on the exact value, by integer arithmetic."""
    if value is None:
        return None
    scaled = value * 10_000
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rest
    if twice > scaled.denominator or (twice == scaled.denominator and whole % 2 == 1):
        whole += 1
    return float(Fraction(whole, 10_000))


def linear(values: list[Fraction], p: Fraction) -> Fraction | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = p * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def in_hours(delta: timedelta) -> Fraction:
    return Fraction(delta // timedelta(microseconds=1), 3_600_000_000)


def in_days(delta: timedelta) -> Fraction:
    return in_hours(delta) / 24


def held_before_end(p: Pairing) -> int:
    return sum(
        1
        for s in p.sessions
        if s.status == "completed" and (p.ended_at is None or s.scheduled_at <= p.ended_at)
    )


def members() -> dict[str, set[str]]:
    """Cohorts each person is a member of today (the mentorship writes both memberships)."""
    found: dict[str, set[str]] = {}
    for p in PAIRINGS:
        found.setdefault(p.mentor, set()).add(p.cohort)
        found.setdefault(p.mentee, set()).add(p.cohort)
    return found


def expected(tz: str, cohorts: set[str] | None) -> dict[str, dict[str, Any]]:
    """Every week's figures as docs/metrics.md defines them; `cohorts` None = every program."""
    keys, key = [], FIRST
    while True:
        keys.append(key)
        if key == LAST:
            break
        start, end = week_bounds(key, tz)
        key = week_of(end, tz)
    pairings = [p for p in PAIRINGS if cohorts is None or p.cohort in cohorts]
    membership = members()

    def person_in(person: str) -> bool:
        return cohorts is None or bool(membership.get(person, set()) & cohorts)

    rows = {}
    for key in keys:
        start, end = week_bounds(key, tz)
        sessions = [(p, s) for p in pairings for s in p.sessions]
        this_week = [(p, s) for p, s in sessions if week_of(s.scheduled_at, tz) == key]
        completed = [s for _, s in this_week if s.status == "completed"]
        no_shows = [s for _, s in this_week if s.status == "no_show"]
        late = [
            s
            for _, s in this_week
            if s.status == "cancelled"
            and s.cancelled_at is not None
            and s.scheduled_at - s.cancelled_at < timedelta(hours=24)
        ]
        counted = len(completed) + len(no_shows) + len(late)
        waits = [
            in_hours(s.responded_at - s.requested_at)
            for _, s in sessions
            if s.requested_at is not None
            and s.responded_at is not None
            and week_of(s.requested_at, tz) == key
        ]
        deltas = [Fraction(s.sentiment[1] - s.sentiment[0]) for s in completed if s.sentiment]
        started = [
            p for p in pairings if p.started_at is not None and week_of(p.started_at, tz) == key
        ]
        early = [p for p in started if p.status == "abandoned" and held_before_end(p) < 3]
        active = [
            p
            for p in pairings
            if p.started_at is not None
            and p.started_at < end
            and not (p.ended_at is not None and p.ended_at < start)
        ]
        gaps = []
        for p in pairings:
            times = sorted(s.scheduled_at for s in p.sessions if s.status == "completed")
            gaps += [
                in_days(later - earlier)
                for earlier, later in pairwise(times)
                if week_of(later, tz) == key
            ]
        proposed = [p for p in pairings if week_of(p.proposed_at, tz) == key]
        accepted = [p for p in proposed if p.started_at is not None]
        declined = [p for p in proposed if p.started_at is None and p.status == "declined"]
        retained = [p for p in started if held_before_end(p) >= 3]
        ended_early = [p for p in started if held_before_end(p) < 3 and p.ended_at is not None]
        exports = [
            (audience, moment)
            for _, person, audience, moment in EXPORTS
            if week_of(moment, tz) == key and person_in(person)
        ]
        applied = [
            platform
            for _, status, platform, moment, person in IMPORTS
            if status == "applied" and week_of(moment, tz) == key and person_in(person)
        ]
        refused: dict[tuple[str, str], int] = {}
        for moment, platform, problem in REFUSALS:
            slot = moment.replace(minute=moment.minute - moment.minute % 15)
            if week_of(slot, tz) == key:
                refused[platform, problem] = refused.get((platform, problem), 0) + 1
        rejections = [
            {"platform_id": platform, "problem": problem, "count": n}
            for (platform, problem), n in sorted(refused.items())
        ]
        platforms = {audience for audience, _ in exports if audience != "self"} | set(applied)
        rows[key] = {
            "week": key,
            "starts_on": date.fromisocalendar(int(key[:4]), int(key[6:]), 1),
            "session_completion_rate": four_places(share(len(completed), counted)),
            "sessions_counted": counted,
            "response_sla": {
                "p50_hours": four_places(linear(waits, Fraction(1, 2))),
                "p90_hours": four_places(linear(waits, Fraction(9, 10))),
                "within_target_share": four_places(
                    share(sum(w <= TARGET_HOURS for w in waits), len(waits))
                ),
                "samples": len(waits),
            },
            "sentiment_delta": four_places(
                sum(deltas, Fraction(0)) / len(deltas) if deltas else None
            ),
            "dropout": {
                "rate": four_places(share(len(early), len(started))),
                "median_days_to_abandon": four_places(
                    linear(
                        [
                            in_days(p.ended_at - p.started_at)
                            for p in early
                            if p.ended_at and p.started_at
                        ],
                        Fraction(1, 2),
                    )
                ),
                "early_abandoned": len(early),
                "started": len(started),
            },
            "mentor_cadence": {
                "sessions_per_active_mentorship": four_places(share(len(completed), len(active))),
                "median_days_between_sessions": four_places(linear(gaps, Fraction(1, 2))),
            },
            "matching": {
                "acceptance_rate": four_places(share(len(accepted), len(accepted) + len(declined))),
                "retained_after_3_sessions": four_places(
                    share(len(retained), len(retained) + len(ended_early))
                ),
            },
            "portability": {
                "bundles_exported": len(exports),
                "imports_accepted": len(applied),
                "imports_rejected": sum(refused.values()) if cohorts is None else None,
                "rejections": rejections if cohorts is None else None,
                "partner_platforms": len(platforms),
            },
        }
    return rows


SCOPES = {
    "all": (Scope(), None),
    "program": (Scope(program_id="prg_b"), {"coh_b"}),
    "cohort": (Scope(cohort_id="coh_a"), {"coh_a"}),
}


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata"])
async def test_every_weekly_figure_agrees_with_the_definitions(graph: Graph, tz: str) -> None:
    await write(graph)
    for name, (scope, cohorts) in SCOPES.items():
        served = await weekly(graph, FIRST, LAST, tz, scope=scope, target_hours=TARGET_HOURS)
        wanted = expected(tz, cohorts)
        assert list(served) == list(wanted), (tz, name)
        for key in wanted:
            assert served[key] == wanted[key], (tz, name, key)


def test_the_second_path_sees_the_boundaries_it_was_built_for() -> None:
    """The fixed graph really straddles the weeks differently per zone (or it tests little)."""
    moment = at("2026-03-08", "20:00")
    assert [week_of(moment, tz) for tz in ("UTC", "America/New_York", "Asia/Kolkata")] == [
        "2026-W10",
        "2026-W10",
        "2026-W11",
    ]
    moment = at("2026-03-09", "02:00")
    assert [week_of(moment, tz) for tz in ("UTC", "America/New_York", "Asia/Kolkata")] == [
        "2026-W11",
        "2026-W10",
        "2026-W11",
    ]
    start, end = week_bounds("2026-W10", "America/New_York")
    assert end - start == timedelta(hours=167)
    assert four_places(Fraction(130650, 8000)) == 16.3312
    rows = expected("UTC", None)
    assert rows["2026-W12"]["response_sla"]["p50_hours"] == 16.3312
