"""Bulk load: the service's bulk path against the raw-driver floor and a naive per-row MERGE.

- service: `graph.synthetic.load_network` (graph/bulk.py: validation, MERGE on constrained ids,
  one managed transaction per batch through `graph.db.Graph`);
- floor: the same rows written the fastest raw way found with the same driver and database:
  the plain synchronous driver, `CREATE` with an explicit property map, temporals sent as ISO
  strings and converted in Cypher, 5,000 rows per transaction (no MERGE, no validation);
- naive: one `MERGE` query (and transaction) per row, on a sample of new contacts;
- first load (offline): the same rows into the wiped bench database by `neo4j-admin database
  import` (app/cli/first_load.py, as `rolodex seed` on an empty local Neo4j): CSV files written,
  server stopped, store imported, server started, constraints and indexes built. Relationships/s
  are given end to end and for the import tool alone.

Items are nodes plus relationships created, counted by the database. Run alone:
`python -m bench.bulk_load --people 10000` (against a running bench Neo4j), or
`python -m bench.bulk_load --people 50000 --first-load` for the offline first load only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

import neo4j

from app.cli.first_load import ADMIN_PATH, first_load
from app.localneo4j.server import LocalNeo4j
from app.settings import Settings
from bench.checks import BenchError
from bench.common import DATABASE, PASSWORD, URI, emit, log, raw_driver, server, wipe
from graph import bulk
from graph.bulk import BulkStats
from graph.db import Graph, connect
from graph.schema import migrate
from graph.synthetic import Network, Spec, generate, load_network

UNTIL = datetime(2026, 11, 23, tzinfo=UTC)
"""A fixed end of the simulated time line, so every run loads the same rows."""

FLOOR_BATCH = 5_000
"""Rows per transaction of the floor: the fastest batch size found for plain CREATE."""


def _props(kind: str, *skip: str) -> str:
    """`{id: row.id, name: row.name, created_at: datetime(row.created_at), …}`: every property
    of `kind` in an explicit map, temporals sent as ISO strings and converted in Cypher."""
    spec = bulk.KINDS[kind]
    names = sorted(spec.allowed - set(skip))

    def value(name: str) -> str:
        if name in spec.datetimes:
            return f"datetime(row.{name})"
        if name in spec.dates:
            return f"date(row.{name})"
        return f"row.{name}"

    return "{" + ", ".join(f"{name}: {value(name)}" for name in names) + "}"


FLOOR: dict[str, str] = {
    "program": f"UNWIND $rows AS row CREATE (:Program {_props('program')})",
    "cohort": f"""UNWIND $rows AS row MATCH (g:Program {{id: row.program_id}})
        CREATE (g)-[:HAS_COHORT]->(:Cohort {_props("cohort", "program_id")})""",
    "outcome": f"""UNWIND $rows AS row MATCH (c:Cohort {{id: row.cohort_id}})
        CREATE (c)-[:HAS_OUTCOME]->(:Outcome {_props("outcome", "cohort_id")})""",
    "person": f"UNWIND $rows AS row CREATE (:Person {_props('person')})",
    "membership": """UNWIND $rows AS row
        MATCH (p:Person {id: row.person_id}) MATCH (c:Cohort {id: row.cohort_id})
        CREATE (p)-[:MEMBER_OF {since: datetime(row.since)}]->(c)""",
    "knows": f"""UNWIND $rows AS row
        MATCH (a:Person {{id: row.from_id}}) MATCH (b:Person {{id: row.to_id}})
        CREATE (a)-[:KNOWS {_props("knows", "from_id", "to_id")}]->(b)""",
    "contact card": f"""UNWIND $rows AS row MATCH (o:Person {{id: row.owner_id}})
        CREATE (o)-[:HAS_CONTACT]->(:Contact {_props("contact card", "owner_id")})""",
    # the mentorship's two sides join its cohort if they were not members yet, as the service
    # does: the only MERGE of the floor, so both paths write the same graph
    "mentorship": f"""UNWIND $rows AS row
        MATCH (a:Person {{id: row.mentor_id}}) MATCH (b:Person {{id: row.mentee_id}})
        MATCH (c:Cohort {{id: row.cohort_id}})
        CREATE (a)-[:MENTOR_IN]->(x:Mentorship {_props("mentorship", "mentor_id", "mentee_id", "cohort_id")})<-[:MENTEE_IN]-(b),
               (x)-[:IN_COHORT]->(c)
        MERGE (a)-[m1:MEMBER_OF]->(c) ON CREATE SET m1.since = datetime(row.proposed_at)
        MERGE (b)-[m2:MEMBER_OF]->(c) ON CREATE SET m2.since = datetime(row.proposed_at)""",
    "session": f"""UNWIND $rows AS row MATCH (x:Mentorship {{id: row.mentorship_id}})
        CREATE (x)-[:HAS_SESSION]->(:Session {_props("session", "mentorship_id")})""",
    "measurement": f"""UNWIND $rows AS row
        MATCH (o:Outcome {{id: row.outcome_id}}) MATCH (p:Person {{id: row.person_id}})
        CREATE (o)-[:HAS_MEASUREMENT]->(:Measurement {_props("measurement", "outcome_id", "person_id")})-[:OF_PERSON]->(p)""",
}
"""The floor: the plain synchronous driver, `CREATE` with an explicit property map (no MERGE on
ids, no validation), temporals as ISO strings converted in Cypher, `FLOOR_BATCH` rows per
transaction. Statements are built from the data description only, never from row values."""


def _iso_rows(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    spec = bulk.KINDS[kind]
    temporal = spec.datetimes | spec.dates
    out = []
    for row in rows:
        copy = dict(row)
        for name in temporal & copy.keys():
            if copy[name] is not None:
                copy[name] = copy[name].isoformat()
        out.append(copy)
    return out


NAIVE: LiteralString = """
MATCH (a:Person {id: $from_id}), (b:Person {id: $to_id})
MERGE (a)-[k:KNOWS {id: $id}]->(b)
ON CREATE SET k.relation = $relation, k.source = $source, k.created_at = $created_at,
              k.since = $since, k.context = $context
"""


def network(people: int, avg_contacts: float, programs: int, weeks: int, seed: int) -> Network:
    return generate(
        Spec(
            people=people,
            avg_contacts=avg_contacts,
            programs=programs,
            weeks=weeks,
            seed=seed,
            until=UNTIL,
        )
    )


def _rate(items: int, seconds: float) -> float:
    return round(items / seconds, 1) if seconds > 0 else 0.0


def _summary(stats: BulkStats, seconds: float) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 3),
        "rows": stats.rows,
        "nodes": stats.nodes_created,
        "relationships": stats.relationships_created,
        "items": stats.items_created,
        "items_per_s": _rate(stats.items_created, seconds),
        "relationships_per_s": _rate(stats.relationships_created, seconds),
        "rows_per_s": _rate(stats.rows, seconds),
    }


def floor_load(driver: neo4j.Driver, net: Network, batch_size: int = FLOOR_BATCH) -> dict[str, Any]:
    """The same rows as the service load, written the fastest raw way found (see `FLOOR`)."""
    total = BulkStats()
    started = time.perf_counter()
    with driver.session(database=DATABASE) as session:
        for kind, rows in net.parts():
            cypher = FLOOR[kind.name]
            for start in range(0, len(rows), batch_size):
                batch = _iso_rows(kind.name, rows[start : start + batch_size])

                def work(
                    tx: neo4j.ManagedTransaction,
                    batch: list[Any] = batch,
                    cypher: LiteralString = cypher,
                ) -> Any:
                    return tx.run(cypher, rows=batch).consume().counters

                counters = session.execute_write(work)
                total.add(
                    BulkStats(
                        rows=len(batch),
                        batches=1,
                        nodes_created=counters.nodes_created,
                        relationships_created=counters.relationships_created,
                    )
                )
    return _summary(total, time.perf_counter() - started)


async def _open() -> Graph:
    graph = await connect(URI, "neo4j", PASSWORD, DATABASE)
    await migrate(graph)
    return graph


async def _service_load(net: Network, batch_size: int) -> dict[str, Any]:
    graph = await _open()
    try:
        started = time.perf_counter()
        stats = await load_network(graph, net, batch_size=batch_size)
        seconds = time.perf_counter() - started
    finally:
        await graph.close()
    total = BulkStats()
    for part in stats.values():
        total.add(part)
    return _summary(total, seconds) | {
        "by_kind": {name: _summary(s, 0.0)["rows"] for name, s in stats.items()}
    }


def service_load(net: Network, batch_size: int) -> dict[str, Any]:
    """The bulk path, as `rolodex seed` runs it."""
    return asyncio.run(_service_load(net, batch_size))


def offline_first_load(instance: LocalNeo4j, net: Network) -> dict[str, Any]:
    """The rows into the (wiped) bench database by the offline importer, end to end."""
    settings = Settings(
        neo4j_uri=URI, neo4j_user="neo4j", neo4j_password=PASSWORD, neo4j_database=DATABASE
    )
    report = asyncio.run(first_load(settings, net.parts(), server=instance))
    if report.path != ADMIN_PATH:
        raise BenchError(f"the first load took the {report.path}: {report.reason}")
    imported = report.phases["import"]
    return {
        "seconds": round(report.seconds, 3),
        "nodes": report.nodes_created,
        "relationships": report.relationships_created,
        "relationships_per_s": _rate(report.relationships_created, report.seconds),
        "import_tool_relationships_per_s": _rate(report.relationships_created, imported),
        "phases": {name: round(value, 2) for name, value in report.phases.items()},
    }


def contact_sample(net: Network, size: int, seed: int) -> list[dict[str, Any]]:
    """`size` new contacts between existing people (fresh ids, so each one is a real write)."""
    rng = random.Random(seed)
    people = [p["id"] for p in net.people]
    moment = UNTIL - timedelta(days=1)
    return [
        {
            "id": f"ctc_bench{seed}-{n:06d}",
            "from_id": rng.choice(people),
            "to_id": rng.choice(people),
            "relation": "peer",
            "source": "manual",
            "created_at": moment,
            "since": moment.date(),
            "context": "bench sample",
        }
        for n in range(size)
    ]


async def _naive_and_bulk(
    sample_naive: list[dict[str, Any]], sample_bulk: list[dict[str, Any]]
) -> dict[str, Any]:
    graph = await _open()
    try:
        started = time.perf_counter()
        for row in sample_naive:
            await graph.query(NAIVE, row, write=True)
        naive_seconds = time.perf_counter() - started
        started = time.perf_counter()
        stats = await bulk.load_knows(graph, sample_bulk)
        bulk_seconds = time.perf_counter() - started
    finally:
        await graph.close()
    return {
        "rows": len(sample_naive),
        "naive_seconds": round(naive_seconds, 3),
        "naive_items_per_s": _rate(len(sample_naive), naive_seconds),
        "bulk_same_sample_seconds": round(bulk_seconds, 3),
        "bulk_same_sample_items_per_s": _rate(stats.items_created, bulk_seconds),
    }


def naive_sample(net: Network, size: int = 2000) -> dict[str, Any]:
    """One MERGE per row (its own transaction) vs one UNWIND batch, on `size` new contacts each."""
    return asyncio.run(_naive_and_bulk(contact_sample(net, size, 1), contact_sample(net, size, 2)))


def batch_sizes(net: Network, sizes: list[int], repeat: int = 1) -> list[dict[str, Any]]:
    """The bulk path at each batch size, on a wiped database each time (after a warm-up load)."""
    driver = raw_driver()
    results: list[dict[str, Any]] = []
    try:
        wipe(driver)
        service_load(net, 5000)  # warm-up: JIT, page cache, plan cache
        for _ in range(repeat):
            for size in sizes:
                wipe(driver)
                log(f"batch size {size}")
                results.append({"batch_size": size} | service_load(net, size))
    finally:
        driver.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--avg-contacts", type=float, default=5.0)
    parser.add_argument("--programs", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=bulk.DEFAULT_BATCH_SIZE)
    parser.add_argument("--batch-sizes", type=str, default="", help="e.g. 1000,5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--first-load", action="store_true", help="only the offline first load")
    args = parser.parse_args()
    started = time.perf_counter()
    net = network(args.people, args.avg_contacts, args.programs, args.weeks, args.seed)
    generated = time.perf_counter() - started
    log(f"generated {net.rows} rows in {generated:.1f} s")
    if args.first_load:
        driver = raw_driver()
        try:
            wipe(driver)
        finally:
            driver.close()
        result = offline_first_load(server(), net)
        emit({"bench": "first_load", "people": args.people, "rows": net.rows} | result)
        return
    if args.batch_sizes:
        sizes = [int(size) for size in args.batch_sizes.split(",")]
        emit(
            {
                "bench": "batch_sizes",
                "people": args.people,
                "rows": net.rows,
                "results": batch_sizes(net, sizes, args.repeat),
            }
        )
        return
    emit({"bench": "bulk_load", "people": args.people} | measure(net, args.batch_size))


def measure(net: Network, batch_size: int) -> dict[str, Any]:
    """Floor, then service, each on a wiped database; then the naive sample on the result."""
    driver = raw_driver()
    try:
        log("floor load")
        wipe(driver)
        floor = floor_load(driver, net, batch_size)
        log(f"floor: {floor['items_per_s']} items/s; service load")
        wipe(driver)
        service = service_load(net, batch_size)
        log(f"service: {service['items_per_s']} items/s; naive sample")
    finally:
        driver.close()
    naive = naive_sample(net)
    return {
        "batch_size": batch_size,
        "service": service,
        "floor": floor,
        "ratio_to_floor": round(service["items_per_s"] / floor["items_per_s"], 3),
        "naive": naive,
        "speedup_over_naive": round(service["items_per_s"] / naive["naive_items_per_s"], 1),
    }


if __name__ == "__main__":
    main()
