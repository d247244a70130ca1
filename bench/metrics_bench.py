"""Time the metrics and matching on a synthetic graph; print the numbers as JSON.

Run it against a Neo4j of its own (it empties the database it is pointed at with `--wipe`):

    .venv/bin/rolodex neo4j start --port 7712 --home var/neo4j-bench
    .venv/bin/python bench/metrics_bench.py --uri bolt://127.0.0.1:7712 --people 20000 --wipe
    .venv/bin/rolodex neo4j stop --port 7712 --home var/neo4j-bench

(the password is `NEO4J_PASSWORD`, or the development default, as for `rolodex neo4j start`).
Not the test server: a large graph left there makes the suite's per-test wipe crawl.

Builds (with `UNWIND` batches) a graph of `--people` people in 5 programs x 4 cohorts: a fifth of
them mentors, about 4 `KNOWS` per person, about 0.7 mentorships per mentee over two years with
sessions every 4-14 days (completed, no-shows, cancellations, response times, sentiments),
outcome measurements, exports and imports. Then times, the way the routes run them: weekly
metrics for 52 weeks (all programs, and one program), network metrics over the same range,
fast-fail signals, one cohort's outcomes, and matches for 20 sampled mentees. Each figure is the
median of `--repeat` runs after one warm-up run. Timings are for reading, never a pass/fail
threshold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.analytics import network, signals
from app.analytics.matching import rank
from app.analytics.outcomes import attainment
from app.analytics.stats import running_totals
from app.analytics.weekly import weekly_rows
from app.analytics.weeks import week_range
from app.settings import DEVELOPMENT_NEO4J_PASSWORD
from graph import import_refusals, matching, metrics, network_metrics, outcomes
from graph.db import Graph, connect
from graph.schema import migrate
from graph.scope import Scope

BATCH = 5_000
TOPICS = [
    "python", "graphs", "go", "rust", "sql", "design", "product", "leadership", "public speaking",
    "writing", "hiring", "career change", "data science", "machine learning", "security", "devops",
    "frontend", "mobile", "testing", "negotiation", "finance", "marketing", "sales", "research",
    "ux", "accessibility", "cloud", "kubernetes", "startups", "management",
]  # fmt: skip
ZONES = [
    "UTC", "Europe/London", "Europe/Berlin", "Europe/Athens", "America/New_York",
    "America/Chicago", "America/Los_Angeles", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney",
]  # fmt: skip
LANGUAGES = ["en", "en", "en", "en", "de", "fr", "es", "pt-BR", "hi", "ja"]


def _iso(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def synthesize(people: int, now: datetime, seed: int) -> dict[str, list[dict[str, Any]]]:
    rnd = random.Random(seed)
    start = now - timedelta(days=730)
    cohorts = [f"coh_{g}_{c}" for g in range(5) for c in range(4)]
    persons: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    mentors: list[tuple[str, datetime, str]] = []
    mentees: list[tuple[str, datetime, str]] = []
    for n in range(people):
        pid = f"per_{n:07d}"
        is_mentor = n % 5 == 0
        created = start + timedelta(seconds=rnd.uniform(0, 700 * 86400))
        persons.append(
            {
                "id": pid,
                "display_name": f"Person {n}",
                "roles": ["mentor"] if is_mentor else ["mentee"],
                "skills": rnd.sample(TOPICS, 4) if is_mentor else rnd.sample(TOPICS, 1),
                "interests": rnd.sample(TOPICS, 3),
                "languages": sorted({rnd.choice(LANGUAGES), "en" if rnd.random() < 0.7 else "es"}),
                "timezone": rnd.choice(ZONES),
                "capacity": rnd.randint(1, 5) if is_mentor else 0,
                "discoverable": rnd.random() < 0.6,
                "created_at": _iso(created),
            }
        )
        cohort = rnd.choice(cohorts)
        members.append({"person": pid, "cohort": cohort, "since": _iso(created)})
        (mentors if is_mentor else mentees).append((pid, created, cohort))
    created_of: dict[str, Any] = {p["id"]: p["created_at"] for p in persons}
    knows, seen = [], set()
    for n in range(people * 4):
        a, b = rnd.sample(range(people), 2)
        if (a, b) in seen:
            continue
        seen.add((a, b))
        ida, idb = persons[a]["id"], persons[b]["id"]
        after = max(created_of[ida], created_of[idb])
        at = after + timedelta(seconds=rnd.uniform(0, max(1.0, (now - after).total_seconds())))
        knows.append({"id": f"ctc_k{n}", "a": ida, "b": idb, "created_at": _iso(at)})
    mentorships, sessions = [], []
    by_cohort: dict[str, list[tuple[str, datetime, str]]] = {}
    for mentor in mentors:
        by_cohort.setdefault(mentor[2], []).append(mentor)
    for i, (mentee, created, cohort) in enumerate(mentees):
        if rnd.random() > 0.7 or not by_cohort.get(cohort):
            continue
        mentor = rnd.choice(by_cohort[cohort])
        proposed = max(created, mentor[1]) + timedelta(days=rnd.uniform(0, 30))
        if proposed >= now:
            continue
        roll = rnd.random()
        status = (
            "proposed" if roll < 0.05 else "declined" if roll < 0.15 else
            "active" if roll < 0.55 else "paused" if roll < 0.6 else
            "completed" if roll < 0.85 else "abandoned"
        )  # fmt: skip
        started = proposed + timedelta(days=rnd.uniform(0.2, 7)) if status != "proposed" else None
        if status == "declined":
            started = None
        if started is not None and started >= now:
            started, status = None, "proposed"
        ended = None
        if status in ("completed", "abandoned") and started is not None:
            ended = min(now, started + timedelta(days=rnd.uniform(3, 180)))
        if status == "declined":
            ended = proposed + timedelta(days=rnd.uniform(0.5, 5))
        mid = f"mnt_{i:07d}"
        mentorships.append(
            {
                "id": mid,
                "mentor": mentor[0],
                "mentee": mentee,
                "cohort": cohort,
                "status": status,
                "goals": rnd.sample(TOPICS, 2),
                "proposed_at": _iso(proposed),
                "started_at": _iso(started) if started else None,
                "ended_at": _iso(ended) if ended else None,
            }
        )
        if started is None:
            continue
        moment, stop = started, ended or now + timedelta(days=14)
        k = 0
        while True:
            moment += timedelta(days=rnd.uniform(4, 14))
            if moment >= stop:
                break
            requested = moment - timedelta(days=rnd.uniform(2, 6))
            future = moment > now
            roll = rnd.random()
            s_status = (
                "scheduled" if future else "completed" if roll < 0.88 else
                "no_show" if roll < 0.93 else "cancelled"
            )  # fmt: skip
            # most answers within hours, a tail past two days
            responded = requested + timedelta(hours=rnd.lognormvariate(1.6, 0.9))
            pre = rnd.randint(1, 5)
            sessions.append(
                {
                    "id": f"ses_{i:07d}_{k}",
                    "mentorship": mid,
                    "status": s_status,
                    "scheduled_at": _iso(moment),
                    "requested_at": _iso(requested),
                    "responded_at": _iso(responded) if responded < now else None,
                    "sentiment_pre": pre if s_status == "completed" else None,
                    "sentiment_post": max(1, min(5, pre + rnd.choice([-1, 0, 0, 0, 1, 1, 1, 2])))
                    if s_status == "completed"
                    else None,
                    "cancelled_at": _iso(moment - timedelta(hours=rnd.uniform(1, 72)))
                    if s_status == "cancelled"
                    else None,
                }
            )
            k += 1
    exports = [
        {
            "id": f"exp_{n}",
            "person": rnd.choice(persons)["id"],
            "audience": rnd.choice(["self", "plt_a", "plt_b", "plt_c"]),
            "at": _iso(start + timedelta(seconds=rnd.uniform(0, 730 * 86400))),
        }
        for n in range(people // 20)
    ]
    # As the service writes them: an applied import is an `Import` node (status 'applied', for
    # its person); a refused one writes nothing but a count in `ImportRefusals`
    # (graph/import_refusals.py); a dry run writes nothing at all.
    imports: list[dict[str, Any]] = []
    refusals: list[dict[str, Any]] = []
    for n in range(people // 40):
        outcome = rnd.choice(["applied", "applied", "refused", "dry_run"])
        platform_id = rnd.choice(["plt_a", "plt_b", "plt_d"])
        person_id = rnd.choice(persons)["id"]
        at = start + timedelta(seconds=rnd.uniform(0, 730 * 86400))
        if outcome == "applied":
            imports.append(
                {
                    "id": f"imp_{n}",
                    "status": "applied",
                    "platform_id": platform_id,
                    "issuer": f"https://{platform_id}.example",
                    "bundle_id": f"bnd_{n}",
                    "person_id": person_id,
                    "scopes": ["profile", "contacts"],
                    "schema_version": 2,
                    "at": _iso(at),
                }
            )
        elif outcome == "refused":
            refusals.append(
                {
                    "at": at,
                    "platform_id": platform_id,
                    "problem": rnd.choice(["bundle-expired", "signature-invalid"]),
                }
            )
    measurements = [
        {
            "id": f"msr_{n}",
            "person": pid,
            "cohort": cohort,
            "key": f"o{rnd.randint(1, 3)}",
            "value": round(rnd.uniform(1, 5), 1),
            "measured_at": _iso(now - timedelta(days=rnd.uniform(0, 200))),
        }
        for n, (pid, _, cohort) in enumerate(mentees)
        if rnd.random() < 0.5
    ]
    return {
        "cohorts": [
            {"id": c, "program": c.rsplit("_", 1)[0].replace("coh", "prg")} for c in cohorts
        ],
        "persons": persons,
        "members": members,
        "knows": knows,
        "mentorships": mentorships,
        "sessions": sessions,
        "exports": exports,
        "imports": imports,
        "refusals": refusals,
        "measurements": measurements,
    }


LOADS: dict[str, str] = {
    "cohorts": """
        UNWIND $rows AS row
        MERGE (g:Program {id: row.program})
          ON CREATE SET g.name = 'Program ' + row.program, g.created_at = datetime()
        CREATE (g)-[:HAS_COHORT]->(c:Cohort {id: row.id, name: 'Cohort ' + row.id,
                                            created_at: datetime()})
        WITH c UNWIND [1, 2, 3] AS k
        CREATE (c)-[:HAS_OUTCOME]->(:Outcome {id: c.id + '_o' + k, key: 'o' + k,
            name: 'Outcome ' + k, metric: 'm', unit: 'points', position: k - 1,
            baseline: CASE k WHEN 3 THEN 5.0 ELSE 2.0 END,
            target: CASE k WHEN 3 THEN 3.0 ELSE 4.0 END, due_date: date('2026-12-31')})
    """,
    "persons": "UNWIND $rows AS row CREATE (p:Person) SET p = row, p.updated_at = row.created_at",
    "members": """
        UNWIND $rows AS row MATCH (p:Person {id: row.person}), (c:Cohort {id: row.cohort})
        CREATE (p)-[:MEMBER_OF {since: row.since}]->(c)
    """,
    "knows": """
        UNWIND $rows AS row MATCH (a:Person {id: row.a}), (b:Person {id: row.b})
        CREATE (a)-[:KNOWS {id: row.id, relation: 'peer', source: 'manual',
                            created_at: row.created_at}]->(b)
    """,
    "mentorships": """
        UNWIND $rows AS row
        MATCH (mentor:Person {id: row.mentor}), (mentee:Person {id: row.mentee}),
              (c:Cohort {id: row.cohort})
        CREATE (x:Mentorship {id: row.id, status: row.status, goals: row.goals,
                proposed_by: 'mentee', proposed_at: row.proposed_at, started_at: row.started_at,
                ended_at: row.ended_at, updated_at: row.proposed_at})
        CREATE (mentor)-[:MENTOR_IN]->(x), (mentee)-[:MENTEE_IN]->(x), (x)-[:IN_COHORT]->(c)
        MERGE (mentor)-[m:MEMBER_OF]->(c) ON CREATE SET m.since = row.proposed_at
    """,
    "sessions": """
        UNWIND $rows AS row MATCH (x:Mentorship {id: row.mentorship})
        CREATE (x)-[:HAS_SESSION]->(s:Session)
        SET s = row, s.created_at = row.requested_at, s.updated_at = row.scheduled_at
        REMOVE s.mentorship
    """,
    "exports": """
        UNWIND $rows AS row MATCH (p:Person {id: row.person})
        CREATE (:Export {id: row.id, audience: row.audience, scopes: ['profile'], at: row.at,
                         actor: row.person, actor_role: 'mentee', size_bytes: 1000})-[:OF]->(p)
    """,
    "imports": """
        UNWIND $rows AS row MATCH (p:Person {id: row.person_id})
        CREATE (i:Import)-[:FOR]->(p)
        SET i = row
    """,
    "measurements": """
        UNWIND $rows AS row
        MATCH (:Cohort {id: row.cohort})-[:HAS_OUTCOME]->(o:Outcome {key: row.key}),
              (p:Person {id: row.person})
        CREATE (o)-[:HAS_MEASUREMENT]->(:Measurement {id: row.id, value: row.value,
                measured_at: row.measured_at, recorded_at: row.measured_at})-[:OF_PERSON]->(p)
    """,
}


async def load(graph: Graph, data: dict[str, list[dict[str, Any]]]) -> None:
    for name, cypher in LOADS.items():
        rows = data[name]
        for i in range(0, len(rows), BATCH):
            await graph.query(cypher, {"rows": rows[i : i + BATCH]}, write=True)
    for refusal in data["refusals"]:  # the service's own refusal path
        await import_refusals.count_refusal(graph, **refusal)


async def timed(work: Callable[[], Awaitable[Any]], repeat: int) -> dict[str, float]:
    """Run `work` once to warm up (plans, page cache), then `repeat` times; seconds."""
    await work()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await work()
        times.append(time.perf_counter() - began)
    return {"median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uri", default="bolt://127.0.0.1:7712")
    parser.add_argument("--user", default="neo4j")
    parser.add_argument(
        "--password", default=os.environ.get("NEO4J_PASSWORD", DEVELOPMENT_NEO4J_PASSWORD)
    )
    parser.add_argument("--database", default="neo4j")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--wipe", action="store_true", help="empty the database first")
    parser.add_argument("--reuse", action="store_true", help="time the graph already loaded")
    args = parser.parse_args()
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)

    graph = await connect(args.uri, args.user, args.password, args.database)
    await migrate(graph)
    now = datetime.now(UTC)
    report: dict[str, Any] = {"people_requested": args.people}
    if not args.reuse:
        existing = (
            await graph.query("MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n")
        )[0]["n"]
        if existing and not args.wipe:
            raise SystemExit(f"the database holds {existing} nodes: pass --wipe to empty it")
        while (await graph.query(
            "MATCH (n) WHERE NOT n:SchemaMigration WITH n LIMIT 20000 DETACH DELETE n "
            "RETURN count(*) AS n", write=True))[0]["n"]:  # fmt: skip
            pass
        began = time.perf_counter()
        data = synthesize(args.people, now, args.seed)
        await load(graph, data)
        report["load_s"] = round(time.perf_counter() - began, 1)
    counts = (await graph.query(
        "CALL () { MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS nodes } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
        "CALL () { MATCH (p:Person) RETURN count(p) AS people } "
        "CALL () { MATCH (:Person)-[k:KNOWS]->() RETURN count(k) AS knows } "
        "CALL () { MATCH (x:Mentorship) RETURN count(x) AS mentorships } "
        "CALL () { MATCH (s:Session) RETURN count(s) AS sessions } "
        "RETURN nodes, relationships, people, knows, mentorships, sessions"))[0]  # fmt: skip
    report["graph"] = counts

    weeks = week_range(None, None, "Europe/Berlin", now=now)
    weeks = week_range(str(weeks.last.shifted(-51)), str(weeks.last), "Europe/Berlin", now=now)

    async def weekly(scope: Scope) -> None:
        by_week, before = await metrics.weekly_aggregates(graph, weeks.params(), scope)
        weekly_rows(weeks, by_week, before, target_hours=48, scoped=not scope.everything)

    async def network_all() -> None:
        rows, before = await network_metrics.growth(graph, weeks.params(), Scope())
        for name in ("people", "contacts", "mentorships"):
            running_totals(before[name], [row[f"new_{name}"] for row in rows])
        people, edges = await network_metrics.contact_graph(graph, weeks.end, Scope())
        network.snapshot(people, edges)

    async def fast_fail() -> None:
        rows = await metrics.fast_fail_rows(
            graph, Scope(), now=now, target_hours=48, **signals.PREFILTER
        )
        signals.flagged(rows, now=now, target_hours=48)

    async def cohort_outcomes() -> None:
        [attainment(row) for row in await outcomes.cohort_outcomes(graph, "coh_0_0")]

    rnd = random.Random(args.seed)
    mentees = [row["id"] for row in await graph.query(
        "MATCH (p:Person) WHERE 'mentee' IN p.roles RETURN p.id AS id ORDER BY id")]  # fmt: skip
    sample = rnd.sample(mentees, min(20, len(mentees)))
    match_times = []
    sizes = []
    for person_id in sample:
        began = time.perf_counter()
        mentee, candidates = await matching.match_facts(graph, person_id)
        assert mentee is not None
        rank(mentee, candidates, now=now, limit=10)
        match_times.append(time.perf_counter() - began)
        sizes.append(len(candidates))

    report["timings"] = {
        "weekly_52_weeks_all_programs": await timed(lambda: weekly(Scope()), args.repeat),
        "weekly_52_weeks_one_program": await timed(
            lambda: weekly(Scope(program_id="prg_0")), args.repeat
        ),
        "network_52_weeks": await timed(network_all, args.repeat),
        "fast_fail_all": await timed(fast_fail, args.repeat),
        "cohort_outcomes": await timed(cohort_outcomes, args.repeat),
        "matches_per_mentee": {
            "mentees": len(sample),
            "median_s": round(statistics.median(match_times[1:] or match_times), 4),
            "max_s": round(max(match_times), 4),
            "median_candidates": statistics.median(sizes),
        },
    }
    people_now, edges_now = await network_metrics.contact_graph(graph, weeks.end, Scope())
    shape = network.snapshot(people_now, edges_now)
    report["network_estimated"] = {"estimated": shape.estimated, "sample_size": shape.sample_size}
    await graph.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
