"""app/routers/metrics.py: the metrics contract over HTTP — shape, who may ask, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from app.analytics.weeks import IsoWeek
from app.main import create_app
from app.settings import Settings
from graph.db import Graph
from tests import builders
from tests.conftest import TokenFactory
from tests.http import hidden, ok, partner_headers, problem
from tests.support import metrics_graph as mg
from tests.support.metrics_graph import at, session

ROUTES = (
    "/v1/metrics/weekly",
    "/v1/metrics/network",
    "/v1/metrics/fast-fail",
)
WEEK_KEYS = {
    "week",
    "starts_on",
    "session_completion_rate",
    "sessions_counted",
    "response_sla",
    "sentiment_delta",
    "dropout",
    "mentor_cadence",
    "matching",
    "portability",
}


async def two_programs(graph: Graph) -> None:
    """Program A: 3 completed + 1 no-show in W02; program B: 2 no-shows in W02, and a
    mentorship that has missed its last two sessions."""
    await mg.program(graph)
    await mg.program(graph, "prg_b", "coh_b")
    await mg.mentor(graph, "per_mentor", capacity=5)
    await mg.person(graph, "per_a")
    await mg.person(graph, "per_b")
    await mg.mentorship(graph, "mnt_a", "per_mentor", "per_a", "coh_a", started_at=mg.LONG_AGO)
    await mg.mentorship(graph, "mnt_b", "per_mentor", "per_b", "coh_b", started_at=mg.LONG_AGO)
    await mg.sessions(
        graph,
        "mnt_a",
        [
            *(session("completed", at(day)) for day in ("2026-01-05", "2026-01-06", "2026-01-07")),
            session("no_show", at("2026-01-08")),
        ],
    )
    await mg.sessions(
        graph,
        "mnt_b",
        [
            session("completed", at("2025-12-01")),
            session("no_show", at("2026-01-06")),
            session("no_show", at("2026-01-07")),
        ],
    )


def counted(body: dict[str, Any], week: str = "2026-W02") -> tuple[int, float | None]:
    row = next(row for row in body["weeks"] if row["week"] == week)
    return row["sessions_counted"], row["session_completion_rate"]


async def test_people_and_partners_may_not_read_metrics(
    client: TestClient, tokens: TokenFactory, graph: Graph, settings: Settings
) -> None:
    cohort = await builders.cohort(graph)
    routes = (*ROUTES, f"/v1/cohorts/{cohort['id']}/outcomes")
    for path in routes:
        for role in ("mentee", "mentor"):
            problem(client.get(path, headers=tokens.headers("per_x", role)), 403)
        problem(client.get(path, headers=partner_headers(client, settings)), 403)
        problem(client.get(path), 401)


async def test_weekly_metrics_follow_the_contract(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await two_programs(graph)
    body = ok(
        client.get(
            "/v1/metrics/weekly?from=2026-W01&to=2026-W03",
            headers=tokens.headers("op", "admin"),
        )
    )
    assert {key: body[key] for key in ("from", "to", "tz", "program_id", "cohort_id")} == {
        "from": "2026-W01",
        "to": "2026-W03",
        "tz": "UTC",
        "program_id": None,
        "cohort_id": None,
    }
    assert body["sla_target_hours"] == 48
    assert [row["week"] for row in body["weeks"]] == ["2026-W01", "2026-W02", "2026-W03"]
    assert [row["starts_on"] for row in body["weeks"]] == [
        "2025-12-29",
        "2026-01-05",
        "2026-01-12",
    ]
    week = body["weeks"][1]
    assert set(week) == WEEK_KEYS
    assert set(week["response_sla"]) == {"p50_hours", "p90_hours", "within_target_share", "samples"}
    assert set(week["dropout"]) == {"rate", "median_days_to_abandon", "early_abandoned", "started"}
    assert set(week["mentor_cadence"]) == {
        "sessions_per_active_mentorship",
        "median_days_between_sessions",
    }
    assert set(week["matching"]) == {"acceptance_rate", "retained_after_3_sessions"}
    assert set(week["portability"]) == {
        "bundles_exported",
        "imports_accepted",
        "imports_rejected",
        "rejections",
        "partner_platforms",
    }
    # 3 completed of 3 + 1 + 2 counted
    assert counted(body) == (6, 0.5)
    # empty weeks: null, never 0
    empty = body["weeks"][2]
    assert empty["session_completion_rate"] is None
    assert empty["sentiment_delta"] is None
    assert empty["response_sla"]["p50_hours"] is None
    assert empty["dropout"]["rate"] is None


async def test_default_range_is_the_twelve_weeks_ending_this_week(
    client: TestClient, tokens: TokenFactory
) -> None:
    body = ok(
        client.get("/v1/metrics/weekly?tz=Pacific/Auckland", headers=tokens.headers("op", "admin"))
    )
    assert len(body["weeks"]) == 12
    today = datetime.now(UTC).astimezone(ZoneInfo("Pacific/Auckland"))
    assert body["to"] == str(IsoWeek.containing(today.date()))
    assert body["tz"] == "Pacific/Auckland"
    network = ok(client.get("/v1/metrics/network", headers=tokens.headers("op", "admin")))
    assert len(network["weeks"]) == 12
    since = ok(
        client.get("/v1/metrics/weekly?from=2026-W10", headers=tokens.headers("op", "admin"))
    )
    assert (since["from"], since["to"]) == ("2026-W10", "2026-W21")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-W60&to=2026-W61", "from"),
        ("from=2026-5&to=2026-W06", "from"),
        ("from=2025-W53&to=2026-W02", "from"),
        ("from=W05&to=2026-W06", "from"),
        ("from=2026-W01&to=2026-02-30", "to"),
        ("from=2026-1-5&to=2026-W06", "from"),
        ("from=2026-W10&to=2026-W09", "from"),
        ("from=2024-W01&to=2025-W53", "to"),
        ("from=2024-W01&to=2026-W01", "to"),  # 105 weeks
        ("from=2026-W01&to=2026-W02&tz=Mars/Olympus_Mons", "tz"),
        ("from=2026-W01&to=2026-W02&tz=../../etc/passwd", "tz"),
        ("from=" + "9" * 40, "from"),
    ],
)
def test_bad_ranges_are_422_naming_the_parameter(
    client: TestClient, tokens: TokenFactory, query: str, field: str
) -> None:
    admin = tokens.headers("op", "admin")
    for route in ("/v1/metrics/weekly", "/v1/metrics/network"):
        body = problem(client.get(f"{route}?{query}", headers=admin), 422)
        assert body["type"] == "https://rolodex.dev/problems/validation-failed"
        assert body["errors"][0]["loc"] == ["query", field]
        assert body["detail"] == f"Fix the invalid fields: query.{field}"


def test_dates_are_taken_as_the_iso_week_holding_them(
    client: TestClient, tokens: TokenFactory
) -> None:
    admin = tokens.headers("op", "admin")
    for route in ("/v1/metrics/weekly", "/v1/metrics/network"):
        body = ok(client.get(f"{route}?from=2026-01-01&to=2026-01-18", headers=admin))
        # 2026-01-01 is the Thursday of 2026-W01; 2026-01-18 the Sunday of 2026-W03.
        assert (body["from"], body["to"]) == ("2026-W01", "2026-W03")
        assert [row["week"] for row in body["weeks"]] == ["2026-W01", "2026-W02", "2026-W03"]
    mixed = ok(client.get("/v1/metrics/weekly?from=2025-12-29&to=2026-W02", headers=admin))
    assert (mixed["from"], mixed["to"]) == ("2026-W01", "2026-W02")


def test_a_range_of_104_weeks_is_allowed(client: TestClient, tokens: TokenFactory) -> None:
    body = ok(
        client.get(
            "/v1/metrics/weekly?from=2024-W02&to=2026-W01", headers=tokens.headers("op", "admin")
        )
    )
    assert len(body["weeks"]) == 104


async def test_program_admins_see_their_programs_only(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await two_programs(graph)
    scoped = tokens.headers("pa", "admin", programs=["prg_a"])
    weekly = "/v1/metrics/weekly?from=2026-W02&to=2026-W02"
    assert counted(ok(client.get(weekly, headers=scoped))) == (4, 0.75)
    assert counted(ok(client.get(f"{weekly}&program_id=prg_a", headers=scoped))) == (4, 0.75)
    assert counted(ok(client.get(f"{weekly}&cohort_id=coh_a", headers=scoped))) == (4, 0.75)
    hidden(client.get(f"{weekly}&program_id=prg_b", headers=scoped), "program", "prg_b")
    hidden(client.get(f"{weekly}&cohort_id=coh_b", headers=scoped), "cohort", "coh_b")
    hidden(client.get(f"{weekly}&program_id=prg_zz", headers=scoped), "program", "prg_zz")
    operator = tokens.headers("op", "admin")
    assert counted(ok(client.get(f"{weekly}&program_id=prg_b", headers=operator))) == (2, 0.0)
    hidden(
        client.get(f"{weekly}&program_id=prg_a&cohort_id=coh_b", headers=operator),
        "cohort",
        "coh_b",
    )
    # fast-fail: program B's mentorship missed its last two sessions; A's admin does not see it
    assert ok(client.get("/v1/metrics/fast-fail", headers=scoped)) == {"items": []}
    hidden(client.get("/v1/metrics/fast-fail?program_id=prg_b", headers=scoped), "program", "prg_b")
    flagged = ok(client.get("/v1/metrics/fast-fail", headers=operator))["items"]
    assert flagged == [
        {
            "mentorship_id": "mnt_b",
            "mentor_id": "per_mentor",
            "mentee_id": "per_b",
            "cohort_id": "coh_b",
            "program_id": "prg_b",
            "reasons": [
                {
                    "code": "two-no-shows-in-a-row",
                    "detail": "The last two sessions (2026-01-06 and 2026-01-07) were both no-shows.",
                }
            ],
        }
    ]
    network = "/v1/metrics/network?from=2026-W01&to=2026-W02"
    hidden(client.get(f"{network}&program_id=prg_b", headers=scoped), "program", "prg_b")
    assert ok(client.get(network, headers=scoped))["weeks"][-1]["cumulative_people"] == 2


async def test_network_metrics_follow_the_contract(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await two_programs(graph)
    await mg.knows(graph, "per_a", "per_b", at("2026-01-06"))
    body = ok(
        client.get(
            "/v1/metrics/network?from=2026-W01&to=2026-W02", headers=tokens.headers("op", "admin")
        )
    )
    assert set(body) == {
        "from",
        "to",
        "weeks",
        "mean_degree",
        "degree_histogram",
        "largest_component_share",
        "median_two_hop_reach",
        "estimated",
        "sample_size",
    }
    assert body["weeks"][1] == {
        "week": "2026-W02",
        "starts_on": "2026-01-05",
        "new_people": 0,
        "new_contacts": 1,
        "new_mentorships": 0,
        "cumulative_people": 3,
        "cumulative_contacts": 1,
        "cumulative_mentorships": 2,
    }
    # per_a - per_b, per_mentor alone: degrees 1, 1, 0
    assert body["mean_degree"] == 0.6667
    assert body["degree_histogram"] == [{"degree": 0, "people": 1}, {"degree": 1, "people": 2}]
    assert body["largest_component_share"] == 0.6667
    assert body["median_two_hop_reach"] == 1.0
    assert (body["estimated"], body["sample_size"]) == (False, None)


async def test_cohort_outcomes(client: TestClient, tokens: TokenFactory, graph: Graph) -> None:
    cohort = await builders.cohort(graph)
    mentee = await builders.person(graph, "Mentee", cohort_id=cohort["id"])
    admin = tokens.headers("pa", "admin", programs=[cohort["program_id"]])
    path = f"/v1/cohorts/{cohort['id']}/outcomes"
    client.post(
        f"/v1/cohorts/{cohort['id']}/outcomes/o1/measurements",
        json={"person_id": mentee["id"], "value": 4.5, "measured_at": "2026-02-01T10:00:00+01:00"},
        headers=admin,
    ).raise_for_status()
    body = ok(client.get(path, headers=admin))
    assert body["cohort_id"] == cohort["id"]
    first = body["outcomes"][0]
    assert first == {
        "key": "o1",
        "name": "Outcome o1",
        "metric": "self-assessed readiness",
        "unit": "points",
        "baseline": 2.0,
        "target": 4.0,
        "due_date": "2030-06-30",
        "mentees": 1,
        "at_or_above_target": 1,
        "attainment_share": 1.0,
        "latest": [
            {"person_id": mentee["id"], "value": 4.5, "measured_at": "2026-02-01T09:00:00Z"}
        ],
    }
    assert body["outcomes"][1]["attainment_share"] == 0.0
    other = await builders.program(graph, "Other")
    hidden(
        client.get(path, headers=tokens.headers("pb", "admin", programs=[other["id"]])),
        "cohort",
        cohort["id"],
    )
    hidden(client.get("/v1/cohorts/coh_missing/outcomes", headers=admin), "cohort", "coh_missing")
    problem(client.get(path, headers=tokens.headers(mentee["id"], "mentee")), 403)


@pytest.fixture
def strict_client(settings: Settings) -> Iterator[TestClient]:
    """An app whose response SLA target is 24 h (ROLODEX_SLA_TARGET_HOURS)."""
    with TestClient(create_app(settings.model_copy(update={"sla_target_hours": 24.0}))) as c:
        yield c


async def test_the_sla_target_is_a_setting(strict_client: TestClient, graph: Graph) -> None:
    await mg.program(graph)
    await mg.mentor(graph, "per_mentor")
    await mg.person(graph, "per_a")
    await mg.mentorship(graph, "mnt_a", "per_mentor", "per_a", started_at=mg.LONG_AGO)
    asked = at("2026-01-06")
    await mg.sessions(
        graph,
        "mnt_a",
        [
            session(
                "completed",
                asked + timedelta(days=5),
                requested_at=asked,
                responded_at=asked + timedelta(hours=h),
            )
            for h in (10, 30)
        ],
    )
    tokens = TokenFactory(strict_client, strict_client.app.state.settings)  # type: ignore[attr-defined]
    body = ok(
        strict_client.get(
            "/v1/metrics/weekly?from=2026-W02&to=2026-W02", headers=tokens.headers("op", "admin")
        )
    )
    assert body["sla_target_hours"] == 24
    assert body["weeks"][0]["response_sla"]["within_target_share"] == 0.5


def test_the_sla_target_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROLODEX_SLA_TARGET_HOURS", raising=False)
    assert Settings().sla_target_hours == 48
    monkeypatch.setenv("ROLODEX_SLA_TARGET_HOURS", "36")
    assert Settings().sla_target_hours == 36
    monkeypatch.setenv("ROLODEX_SLA_TARGET_HOURS", "0")
    with pytest.raises(ValueError, match="sla_target_hours"):
        Settings()
