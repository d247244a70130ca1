"""`make bench`: every benchmark at 2k, 10k and 50k people; JSON, a markdown table and a chart.

After a warm-up load through both paths, for each size: the floor load and the service load of
the same rows, each on a wiped database, one after the other (their graphs must be equal), the
naive sample, the probe profiles, then a real API process for the export latencies (HTTP and
floor interleaved), the 64-client loads (GET, export, matches of mentees), matches from one
client, imports (fresh and unchanged), weekly and network metrics over 52 weeks, its peak RSS,
and `PROFILE`s of the matches and metrics queries. Writes `bench/results/bench-<time>.json`,
`latest.json`, `latest.md`, the chart docs/performance-growth.png, and puts the table into
docs/performance.md between its `bench:start`/`bench:end` markers.

Sizes and knobs: `BENCH_PEOPLE` (default `2000,10000,50000`), `BENCH_AVG_CONTACTS` (5),
`BENCH_PROGRAMS` (20), `BENCH_WEEKS` (26), `BENCH_LOAD_SECONDS` (30), `BENCH_SAMPLES` (100),
`BENCH_IMPORT_SIZES` (`100,1000,10000`), `BENCH_IMPORT_REPEAT` (5), `BENCH_API_WORKERS` (2, as
the Dockerfile runs the service), `BENCH_STAGES` (every stage: `bulk,naive,profiles,export,
metrics,imports,matches,load`; e.g. `export,imports` to time only those: the graph is then loaded
by the service path alone, and the table shows `-` for the stages left out). A stage that
measures nothing, or whose calls fail, stops the run with `BenchError`.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from auth.principals import Role
from bench import bulk_load, chart, concurrency, export_latency, imports, metrics, profiles
from bench.api import (
    BASE_URL,
    PROBE_CONTACTS,
    api_server,
    keystore,
    operator_token,
    person_token,
    probe_rows,
)
from bench.checks import BenchError, expect, expect_samples
from bench.common import (
    RESULTS,
    ROOT,
    counts,
    log,
    machine,
    percentiles,
    raw_driver,
    server,
    wipe,
)
from graph import bulk
from graph.synthetic import Network

MARK_START = "<!-- bench:start -->"
MARK_END = "<!-- bench:end -->"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
CHART = ROOT / "docs" / "performance-growth.png"


STAGES = ("bulk", "naive", "profiles", "export", "metrics", "imports", "matches", "load")


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def stages() -> frozenset[str]:
    """The stages `BENCH_STAGES` asks for (default: all); an unknown name stops the run."""
    asked = {s.strip() for s in os.environ.get("BENCH_STAGES", ",".join(STAGES)).split(",")}
    asked.discard("")
    unknown = asked - set(STAGES)
    if unknown or not asked:
        raise BenchError(f"BENCH_STAGES: unknown {sorted(unknown)}; the stages are {STAGES}")
    return frozenset(asked)


def warm_up() -> float:
    """Load a small network through both paths once, so neither measured load pays for the
    JIT compiler or cold plan caches; the seconds it took."""
    started = time.perf_counter()
    small = bulk_load.network(_env_int("BENCH_WARMUP_PEOPLE", 2000), 5, 4, 8, 99)
    driver = raw_driver()
    try:
        wipe(driver)
        bulk_load.floor_load(driver, small)
        wipe(driver)
        bulk_load.service_load(small, bulk.DEFAULT_BATCH_SIZE)
        wipe(driver)
    finally:
        driver.close()
    return round(time.perf_counter() - started, 1)


async def _load_probes(net: Network) -> None:
    graph = await bulk_load._open()
    try:
        for contacts in PROBE_CONTACTS:
            rows = probe_rows(net, contacts, seed=contacts)
            await bulk.load_people(graph, rows["person"])
            await bulk.load_knows(graph, rows["knows"])
            await bulk.load_mentorships(graph, rows["mentorship"])
            await bulk.load_sessions(graph, rows["session"])
            await bulk.load_measurements(graph, rows["measurement"])
    finally:
        await graph.close()


def _sample_people(net: Network, n: int) -> list[dict[str, Any]]:
    step = max(1, len(net.people) // n)
    return net.people[::step][:n]


def _mentees(net: Network, n: int) -> list[dict[str, Any]]:
    mentees = [p for p in net.people if "mentee" in p["roles"]]
    step = max(1, len(mentees) // n)
    return mentees[::step][:n]


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def http_benches(
    net: Network, seconds: int, samples: int, chosen: frozenset[str]
) -> dict[str, Any]:
    keys = keystore()
    operator = operator_token(keys)
    results: dict[str, Any] = {}
    with api_server() as api:
        if "export" in chosen:
            driver = raw_driver()
            try:
                log("export latency (HTTP and floor interleaved)")
                results["export"] = export_latency.measure(driver, keys, samples)
            finally:
                driver.close()
        if "metrics" in chosen:
            log("weekly and network metrics over 52 weeks")
            results["metrics"] = metrics.weekly_and_network(operator, bulk_load.UNTIL)
            results["metrics"]["load_average"] = _loadavg()
        if "imports" in chosen:
            log("imports: 100 / 1,000 / 10,000 items, fresh and unchanged")
            results["imports"] = imports.import_bundles(
                keys,
                operator,
                tuple(
                    int(n)
                    for n in os.environ.get("BENCH_IMPORT_SIZES", "100,1000,10000").split(",")
                ),
                repeat=_env_int("BENCH_IMPORT_REPEAT", 5),
            )
            results["imports"]["load_average"] = _loadavg()
        if chosen & {"matches", "load"}:
            results |= _matches_and_load(net, keys, seconds, samples, chosen)
        results["api_peak_rss_mib"] = api.peak_rss_mib()
    return results


def _matches_and_load(
    net: Network, keys: Any, seconds: int, samples: int, chosen: frozenset[str]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    people = _sample_people(net, 128)
    tokens = {
        p["id"]: person_token(keys, p["id"], Role.MENTOR if p["capacity"] else Role.MENTEE)
        for p in people
    }
    mentees = {p["id"]: person_token(keys, p["id"], Role.MENTEE) for p in _mentees(net, 128)}
    with httpx.Client(base_url=BASE_URL, timeout=60) as client:
        for person_id, token in tokens.items():  # the self grant each first export makes
            expect(
                client.post(
                    f"/v1/people/{person_id}/bundles",
                    json={"audience": "self"},
                    headers={"Authorization": f"Bearer {token}"},
                ),
                201,
                "first export",
            )
        for person_id, token in list(mentees.items())[:4]:  # matches answer mentees
            expect(
                client.get(
                    f"/v1/people/{person_id}/matches",
                    headers={"Authorization": f"Bearer {token}"},
                ),
                200,
                "matches of a mentee",
            )
    targets = [
        concurrency.Target(
            "GET /v1/people/{id}",
            "GET",
            [(f"/v1/people/{pid}", token) for pid, token in tokens.items()],
        ),
        concurrency.Target(
            "POST /v1/people/{id}/bundles",
            "POST",
            [(f"/v1/people/{pid}/bundles", token) for pid, token in tokens.items()],
            body='{"audience": "self"}',
        ),
        concurrency.Target(
            "GET /v1/people/{id}/matches",
            "GET",
            [(f"/v1/people/{pid}/matches", token) for pid, token in mentees.items()],
        ),
    ]
    if "matches" in chosen:
        log("matches, one client")
        results["matches_one_client"] = _one_client_matches(mentees, samples)
    if "load" in chosen:
        for target in targets:
            log(f"64 clients on {target.name} for {seconds} s")
            results[f"load {target.name}"] = concurrency.run(target, seconds)
    return results


def _one_client_matches(mentees: dict[str, str], samples: int) -> dict[str, Any]:
    """Sequential matches of the mentees in turn (before the 64-client load, so no backlog);
    a request slower than 60 s counts as a timeout."""
    timings: list[float] = []
    timeouts = 0
    items = list(mentees.items())
    with httpx.Client(base_url=BASE_URL, timeout=60) as client:
        for n in range(samples):
            person_id, token = items[n % len(items)]
            started = time.perf_counter()
            try:
                response = client.get(
                    f"/v1/people/{person_id}/matches",
                    headers={"Authorization": f"Bearer {token}"},
                )
            except httpx.TimeoutException:
                timeouts += 1
                continue
            timings.append(time.perf_counter() - started)
            expect(response, 200, "matches of a mentee")
    expect_samples(timings, "matches, one client")
    return percentiles(timings) | {"timeouts": timeouts, "load_average": _loadavg()}


def _bulk(net: Network) -> dict[str, Any]:
    """Floor and service loads of the same rows, each on a wiped database, in turn; the graph
    each wrote must be the same (node and relationship counts)."""
    result: dict[str, Any] = {}
    driver = raw_driver()
    try:
        result["wipe_seconds_before_floor"] = round(wipe(driver), 1)
        result["floor"] = bulk_load.floor_load(driver, net) | {"load_average": _loadavg()}
        floor_graph = counts(driver)
        log(f"floor {result['floor']['items_per_s']} items/s; service load")
        result["wipe_seconds_before_service"] = round(wipe(driver), 1)
        result["service"] = bulk_load.service_load(net, bulk.DEFAULT_BATCH_SIZE) | {
            "load_average": _loadavg()
        }
        service_graph = counts(driver)
        log(f"service {result['service']['items_per_s']} items/s; offline first load")
        result["wipe_seconds_before_first_load"] = round(wipe(driver), 1)
    finally:
        driver.close()
    result["first_load"] = bulk_load.offline_first_load(server(), net) | {
        "load_average": _loadavg()
    }
    driver = raw_driver()
    try:
        first_load_graph = counts(driver)
    finally:
        driver.close()
    if not floor_graph == service_graph == first_load_graph:
        raise BenchError(
            f"floor wrote {floor_graph}, the service {service_graph}, the offline first load "
            f"{first_load_graph}: not the same work"
        )
    result["ratio_to_floor"] = round(
        result["service"]["items_per_s"] / result["floor"]["items_per_s"], 3
    )
    return result


def _service_only(net: Network) -> dict[str, Any]:
    """The graph loaded by the service path alone (no floor to compare with)."""
    driver = raw_driver()
    try:
        wipe(driver)
    finally:
        driver.close()
    return {"service": bulk_load.service_load(net, bulk.DEFAULT_BATCH_SIZE)}


def one_size(people: int, chosen: frozenset[str] = frozenset(STAGES)) -> dict[str, Any]:
    avg_contacts = float(os.environ.get("BENCH_AVG_CONTACTS", "5"))
    started = time.perf_counter()
    net = bulk_load.network(
        people, avg_contacts, _env_int("BENCH_PROGRAMS", 20), _env_int("BENCH_WEEKS", 26), 1
    )
    result: dict[str, Any] = {
        "people": people,
        "avg_contacts": avg_contacts,
        "rows": net.rows,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    if "bulk" in chosen:
        log(f"{people} people: {net.rows} rows generated; floor load")
        result |= _bulk(net)
    else:
        log(f"{people} people: {net.rows} rows generated; service load only")
        result |= _service_only(net)
    if "naive" in chosen:
        log(f"service {result['service']['items_per_s']} items/s; naive sample")
        result["naive"] = bulk_load.naive_sample(net)
        result["speedup_over_naive"] = round(
            result["service"]["items_per_s"] / result["naive"]["naive_items_per_s"], 1
        )
    asyncio.run(_load_probes(net))
    driver = raw_driver()
    try:
        result["graph"] = counts(driver)
    finally:
        driver.close()
    if "profiles" in chosen:
        log("profiles of the matches and metrics queries")
        driver = raw_driver()
        try:
            result["profiles"] = profiles.profiles(
                driver, _mentees(net, 1)[0]["id"], bulk_load.UNTIL
            )
        finally:
            driver.close()
    if chosen & {"export", "metrics", "imports", "matches", "load"}:
        result |= http_benches(
            net, _env_int("BENCH_LOAD_SECONDS", 30), _env_int("BENCH_SAMPLES", 100), chosen
        )
    return result


def main() -> None:
    started = time.perf_counter()
    sizes = [int(n) for n in os.environ.get("BENCH_PEOPLE", "2000,10000,50000").split(",")]
    chosen = stages()
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "batch_size": bulk.DEFAULT_BATCH_SIZE,
        "stages": sorted(chosen),
        "sizes": {},
    }
    instance = server()
    was_running = instance.status().running
    instance.start()
    try:
        if "bulk" in chosen:
            log("warm-up")
            report["warm_up_seconds"] = warm_up()
        for people in sizes:
            report["sizes"][str(people)] = one_size(people, chosen)
            if people != sizes[-1]:  # what is measured so far, in case a later size never ends
                report["wall_seconds"] = round(time.perf_counter() - started, 1)
                report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
                write(report)
    finally:
        if not was_running:
            instance.stop()
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write(report)
    log(f"done in {report['wall_seconds']} s")


def write(report: dict[str, Any]) -> None:
    """The run's JSON; for a run of every stage also `latest.*`, the chart and the table in
    docs/performance.md (a run of some stages only prints its table)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = report["started_at"].replace(":", "").replace("-", "")[:15]
    text = json.dumps(report, indent=2, default=str)
    (RESULTS / f"bench-{stamp}.json").write_text(text + "\n")
    table = markdown(report)
    if set(report.get("stages", STAGES)) != set(STAGES):
        print(table)
        return
    (RESULTS / "latest.json").write_text(text + "\n")
    if len(report["sizes"]) > 1:
        chart.draw(report, CHART)
        table += f"\n![cost against graph size]({CHART.relative_to(ROOT / 'docs')})\n"
    (RESULTS / "latest.md").write_text(table)
    if PERFORMANCE_DOC.exists():
        doc = PERFORMANCE_DOC.read_text()
        if MARK_START in doc and MARK_END in doc:
            before, rest = doc.split(MARK_START, 1)
            _, after = rest.split(MARK_END, 1)
            PERFORMANCE_DOC.write_text(f"{before}{MARK_START}\n{table}{MARK_END}{after}")
    print(table)


def _cell(value: Any) -> str:
    if isinstance(value, dict) and "skipped" in value:
        return f"skipped: {value['skipped']}"
    return str(value)


def _growth(small: Any, large: Any) -> str:
    if isinstance(small, int | float) and isinstance(large, int | float) and small:
        return f"x{large / small:.2f}"
    return ""


def _matches(result: dict[str, Any]) -> Any:
    if "load_matches" in result:
        return result["load_matches"]
    found = next(v for k, v in result.items() if k.startswith("load GET") and "matches" in k)
    return (
        f"{found['requests_per_s']:,.0f}, {found['p50_ms']} / {found['p99_ms']}, {found['errors']}"
    )


def _loads(*stages: dict[str, Any]) -> str:
    return ", ".join(str(stage["load_average"][0]) for stage in stages)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    sizes = list(report["sizes"])
    header = "| figure | " + " | ".join(f"{int(s):,} people" for s in sizes) + " | growth |"
    lines = [
        f"Run {report['started_at']} at `{m['git']}`, `make bench` wall time "
        f"{report['wall_seconds'] / 60:.1f} min, batch size {report['batch_size']:,}.",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB; Neo4j {m['neo4j']}; "
        f"Python {m['python']}, driver {m['neo4j_driver']}, neo4j-rust-ext {m['rust_ext']}; "
        f"load average at start {m['load_average_at_start']}, "
        f"at end {report['load_average_at_end']} (the machine is shared).",
        "",
        header,
        "|" + " --- |" * (len(sizes) + 2),
    ]

    def row(label: str, pick: Any, fmt: str = "{:,}") -> None:
        values = []
        for size in sizes:
            try:
                values.append(pick(report["sizes"][size]))
            except (KeyError, TypeError, StopIteration):
                values.append(None)
        cells = [
            fmt.format(v) if isinstance(v, int | float) else _cell(v) if v is not None else "-"
            for v in values
        ]
        growth = _growth(values[0], values[-1]) if len(values) > 1 else ""
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {growth} |")

    row("graph nodes", lambda r: r["graph"]["nodes"])
    row("graph relationships", lambda r: r["graph"]["relationships"])
    row("bulk load: items/s (service)", lambda r: r["service"]["items_per_s"], "{:,.0f}")
    row("bulk load: relationships/s", lambda r: r["service"]["relationships_per_s"], "{:,.0f}")
    row("bulk load: seconds", lambda r: r["service"]["seconds"], "{:,.1f}")
    row("bulk floor: items/s", lambda r: r["floor"]["items_per_s"], "{:,.0f}")
    row("bulk: ratio to floor (goal >= 0.8x)", lambda r: r["ratio_to_floor"], "{:.2f}x")
    row("bulk: load average (floor, service)", lambda r: _loads(r["floor"], r["service"]))
    row(
        "first load (neo4j-admin import), end to end: relationships/s",
        lambda r: r["first_load"]["relationships_per_s"],
        "{:,.0f}",
    )
    row(
        "first load: import tool alone, relationships/s",
        lambda r: r["first_load"]["import_tool_relationships_per_s"],
        "{:,.0f}",
    )
    row(
        "first load: seconds (csv / stop / import / start / migrate)",
        lambda r: " / ".join(f"{v:.1f}" for v in r["first_load"]["phases"].values()),
    )
    row("naive per-row MERGE: items/s", lambda r: r["naive"]["naive_items_per_s"], "{:,.0f}")
    row("speed-up over naive", lambda r: r["speedup_over_naive"], "{:,.1f}x")
    for contacts in PROBE_CONTACTS:
        key = str(contacts)
        row(
            f"export {contacts:,} contacts: p50 / p99 ms",
            lambda r, k=key: "{p50_ms} / {p99_ms}".format(**r["export"][k]["http"]),
        )
        row(
            f"export {contacts:,}: floor p50 / p99 ms",
            lambda r, k=key: "{p50_ms} / {p99_ms}".format(**r["export"][k]["floor"]),
        )
        row(
            f"export {contacts:,}: ratio to floor p50 / p99 (goal <= 1.5x)",
            lambda r, k=key: f"{r['export'][k]['ratio_p50']}x / {r['export'][k]['ratio_p99']}x",
        )
    row("export: load average", lambda r: str(r["export"]["1000"]["load_average"]))
    for name, label in (
        ("load GET /v1/people/{id}", "64 clients GET /v1/people/{id}"),
        ("load POST /v1/people/{id}/bundles", "64 clients export"),
        ("load GET /v1/people/{id}/matches", "64 clients matches (mentees)"),
    ):
        row(
            f"{label}: req/s, p50 / p99 ms, errors (timeouts), load avg",
            lambda r, n=name: (
                f"{r[n]['requests_per_s']:,.1f}, {r[n]['p50_ms']} / {r[n]['p99_ms']}, "
                f"{r[n]['errors']} ({r[n].get('error_kinds', {}).get('timeout', 0)}), "
                f"{r[n]['load_average'][0]}"
            ),
        )
    row(
        "matches, one client: p50 / p99 ms",
        lambda r: "{p50_ms} / {p99_ms}".format(**r["matches_one_client"]),
    )
    for size in ("100", "1000", "10000"):
        row(
            f"import {int(size):,} items: fresh ms; unchanged re-import p50 / p99 ms",
            lambda r, k=size: (
                f"{r['imports'][k]['fresh_ms']:,.0f}; "
                f"{r['imports'][k]['reimport_unchanged']['p50_ms']} / "
                f"{r['imports'][k]['reimport_unchanged']['p99_ms']}"
            ),
        )
    row("imports: load average", lambda r: str(r["imports"]["load_average"]))
    row(
        "weekly metrics, 52 weeks: p50 / p99 ms",
        lambda r: "{p50_ms} / {p99_ms}".format(**r["metrics"]["weekly_52"]),
    )
    row(
        "network metrics, 52 weeks: p50 / p99 ms",
        lambda r: "{p50_ms} / {p99_ms}".format(**r["metrics"]["network_52"]),
    )
    row("metrics: load average", lambda r: str(r["metrics"]["load_average"]))
    row("API peak RSS MiB, all processes", lambda r: r["api_peak_rss_mib"]["total"], "{:,.0f}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
