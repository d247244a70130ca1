"""Profiles as evidence: `PROFILE` of the queries behind the figures that miss their goals, on the
bench graph of each size — database hits and rows of the busiest operators, and the total. Run by
`make bench` after the HTTP stages of each size; docs/performance.md quotes them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, LiteralString

import neo4j

from app.analytics import signals
from bench.common import DATABASE
from graph import import_refusals, matching, metrics, network_metrics
from graph.matching import skills_query
from graph.mentorships import LIVE


def _walk(plan: dict[str, Any]) -> list[dict[str, Any]]:
    args = plan.get("args", {})
    found = [
        {
            "operator": str(plan["operatorType"]).split("@")[0],
            "db_hits": int(plan.get("dbHits", 0)),
            "rows": int(plan.get("rows", 0)),
            "details": str(args.get("Details", ""))[:120],
        }
    ]
    for child in plan.get("children", []):
        found += _walk(child)
    return found


def _profile(driver: neo4j.Driver, cypher: LiteralString, **params: Any) -> dict[str, Any]:
    with driver.session(database=DATABASE, default_access_mode=neo4j.READ_ACCESS) as session:
        result = session.run(f"PROFILE {cypher}", params)
        rows = len(list(result))
        summary = result.consume()
    assert summary.profile is not None
    operators = _walk(summary.profile)
    busiest = sorted(operators, key=lambda o: o["db_hits"], reverse=True)[:3]
    return {
        "rows": rows,
        "db_hits": sum(o["db_hits"] for o in operators),
        "busiest": busiest,
        "ms": (summary.result_available_after or 0) + (summary.result_consumed_after or 0),
    }


def _weeks(until: datetime, count: int = 52) -> list[dict[str, Any]]:
    first = until - timedelta(weeks=count)
    return [
        {
            "key": f"w{n}",
            "start": first + timedelta(weeks=n),
            "end": first + timedelta(weeks=n + 1),
        }
        for n in range(count)
    ]


WEEKLY: dict[str, LiteralString] = {
    "sessions": metrics.SESSIONS,
    "gaps": metrics.GAPS,
    "responses": metrics.RESPONSES,
    "started": metrics.STARTED,
    "ended": metrics.ENDED,
    "proposed": metrics.PROPOSED,
    "portability": metrics.PORTABILITY,
    "refusals": import_refusals.REFUSALS_PER_WEEK,
    "before the range": metrics.BEFORE_RANGE,
}


def profiles(driver: neo4j.Driver, mentee_id: str, until: datetime) -> dict[str, Any]:
    weeks = _weeks(until)
    everything = {"everything": True, "cohorts": []}
    mine = {"person": mentee_id, "cohort": None, "live": sorted(LIVE)}
    with driver.session(database=DATABASE, default_access_mode=neo4j.READ_ACCESS) as session:
        mentee = session.run(matching.MENTEE, person=mentee_id).single()
    assert mentee is not None
    wanted = skills_query([*mentee["interests"], *mentee["goals"]])
    return {
        "matches candidates": _profile(driver, matching.CANDIDATES, **mine),
        "matches pool": _profile(
            driver, matching.POOL, **mine, skills_query=wanted, per_source=matching.PER_SOURCE
        ),
        **{
            f"weekly {name}": _profile(
                driver,
                cypher,
                weeks=weeks,
                start=weeks[0]["start"],
                end=weeks[-1]["end"],
                **everything,
            )
            for name, cypher in WEEKLY.items()
        },
        "weekly fast-fail": _profile(
            driver,
            metrics.FAST_FAIL,
            live=list(metrics.LIVE_FOR_SIGNALS),
            now=until,
            target=timedelta(hours=48),
            **signals.PREFILTER,
            **everything,
        ),
        "network growth": _profile(driver, network_metrics.GROWTH, weeks=weeks, **everything),
        "network before": _profile(
            driver, network_metrics.BEFORE, start=weeks[0]["start"], **everything
        ),
        "network contact graph": _profile(
            driver, network_metrics.CONTACT_GRAPH, end=weeks[-1]["end"], **everything
        ),
    }
