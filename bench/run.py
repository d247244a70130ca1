"""`make bench`: every benchmark at 10k and 100k people; JSON and a markdown table.

After a warm-up load through both paths, for each size: a wiped database for the floor load and
again for the service load (the same rows, the same batch size), the naive sample, the probe profiles, then a real API process for
the export latencies, the 64-client load, imports and metrics (skipped while not merged), and
its peak RSS. Writes `bench/results/bench-<time>.json`, `latest.json`, `latest.md`, and puts
the table into docs/performance.md between its `bench:start`/`bench:end` markers.

Sizes and knobs: `BENCH_PEOPLE` (default `10000,100000`), `BENCH_AVG_CONTACTS` (5),
`BENCH_PROGRAMS` (20), `BENCH_WEEKS` (26), `BENCH_LOAD_SECONDS` (30), `BENCH_SAMPLES` (100),
`BENCH_API_WORKERS` (2, as the Dockerfile runs the service).
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
from bench import bulk_load, concurrency, export_latency, imports, metrics
from bench.api import BASE_URL, PROBE_CONTACTS, api_server, keystore, person_token, probe_rows
from bench.common import RESULTS, ROOT, counts, log, machine, raw_driver, server, wipe
from graph import bulk
from graph.synthetic import Network

MARK_START = "<!-- bench:start -->"
MARK_END = "<!-- bench:end -->"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def warm_up() -> float:
    """Load a small network through both paths once, so neither measured load pays for the
    JIT compiler or cold plan caches; the seconds it took."""
    started = time.perf_counter()
    small = bulk_load.network(2000, 5, 4, 8, 99)
    driver = raw_driver()
    try:
        wipe(driver)
        bulk_load.floor_load(driver, small, bulk.DEFAULT_BATCH_SIZE)
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


def http_benches(net: Network, seconds: int, samples: int) -> dict[str, Any]:
    keys = keystore()
    results: dict[str, Any] = {}
    with api_server() as api:
        paths = set(httpx.get(f"{BASE_URL}/openapi.json", timeout=30).json()["paths"])
        driver = raw_driver()
        try:
            log("export latency")
            results["export"] = export_latency.measure(driver, keys, samples)
        finally:
            driver.close()
        people = _sample_people(net, 128)
        tokens = {
            p["id"]: person_token(keys, p["id"], Role.MENTOR if p["capacity"] else Role.MENTEE)
            for p in people
        }
        with httpx.Client(base_url=BASE_URL, timeout=60) as client:
            for person_id, token in tokens.items():  # the self grant each first export makes
                client.post(
                    f"/v1/people/{person_id}/bundles",
                    json={"audience": "self"},
                    headers={"Authorization": f"Bearer {token}"},
                ).raise_for_status()
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
        ]
        matches = next((p for p in sorted(paths) if p.endswith("/matches")), None)
        if matches:
            targets.append(
                concurrency.Target(
                    f"GET {matches}",
                    "GET",
                    [(matches.replace("{person_id}", pid), token) for pid, token in tokens.items()],
                )
            )
        else:
            results["load_matches"] = {"skipped": "no /v1/people/{id}/matches in this branch"}
        for target in targets:
            log(f"64 clients on {target.name} for {seconds} s")
            results[f"load {target.name}"] = concurrency.run(target, seconds)
        admin = person_token(keys, "bench-operator", Role.ADMIN)
        results["imports"] = imports.import_bundles(paths, {}, admin)
        results["metrics"] = metrics.weekly_and_network(paths, admin)
        results["api_peak_rss_mib"] = api.peak_rss_mib()
    return results


def one_size(people: int) -> dict[str, Any]:
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
    log(f"{people} people: {net.rows} rows generated; floor load")
    driver = raw_driver()
    try:
        result["wipe_seconds_before_floor"] = round(wipe(driver), 1)
        result["floor"] = bulk_load.floor_load(driver, net, bulk.DEFAULT_BATCH_SIZE)
        log(f"floor {result['floor']['items_per_s']} items/s; service load")
        result["wipe_seconds_before_service"] = round(wipe(driver), 1)
    finally:
        driver.close()
    result["service"] = bulk_load.service_load(net, bulk.DEFAULT_BATCH_SIZE)
    result["ratio_to_floor"] = round(
        result["service"]["items_per_s"] / result["floor"]["items_per_s"], 3
    )
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
    result |= http_benches(net, _env_int("BENCH_LOAD_SECONDS", 30), _env_int("BENCH_SAMPLES", 100))
    return result


def main() -> None:
    started = time.perf_counter()
    sizes = [int(n) for n in os.environ.get("BENCH_PEOPLE", "10000,100000").split(",")]
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "batch_size": bulk.DEFAULT_BATCH_SIZE,
        "sizes": {},
    }
    instance = server()
    was_running = instance.status().running
    instance.start()
    try:
        log("warm-up")
        report["warm_up_seconds"] = warm_up()
        for people in sizes:
            report["sizes"][str(people)] = one_size(people)
    finally:
        if not was_running:
            instance.stop()
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write(report)
    log(f"done in {report['wall_seconds']} s")


def write(report: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = report["started_at"].replace(":", "").replace("-", "")[:15]
    text = json.dumps(report, indent=2, default=str)
    (RESULTS / f"bench-{stamp}.json").write_text(text + "\n")
    (RESULTS / "latest.json").write_text(text + "\n")
    table = markdown(report)
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
    row("floor (raw driver, CREATE): items/s", lambda r: r["floor"]["items_per_s"], "{:,.0f}")
    row("ratio to floor", lambda r: r["ratio_to_floor"], "{:.2f}x")
    row("naive per-row MERGE: items/s", lambda r: r["naive"]["naive_items_per_s"], "{:,.0f}")
    row("speed-up over naive", lambda r: r["speedup_over_naive"], "{:,.1f}x")
    for contacts in PROBE_CONTACTS:
        key = str(contacts)
        row(
            f"export {contacts:,} contacts: p50 / p95 / p99 ms",
            lambda r, k=key: "{p50_ms} / {p95_ms} / {p99_ms}".format(**r["export"][k]["http"]),
        )
        row(
            f"export {contacts:,}: floor p50 / p99 ms",
            lambda r, k=key: "{p50_ms} / {p99_ms}".format(**r["export"][k]["floor"]),
        )
        row(
            f"export {contacts:,}: ratio to floor (p50, p99)",
            lambda r, k=key: f"{r['export'][k]['ratio_p50']}x / {r['export'][k]['ratio_p99']}x",
        )
    row(
        "bundles signed/s (one client, 1,000 contacts)",
        lambda r: r["export"]["1000"]["bundles_per_s_sequential"],
        "{:,.1f}",
    )
    for name, label in (
        ("load GET /v1/people/{id}", "64 clients GET /v1/people/{id}"),
        ("load POST /v1/people/{id}/bundles", "64 clients export"),
    ):
        row(f"{label}: requests/s", lambda r, n=name: r[n]["requests_per_s"], "{:,.0f}")
        row(
            f"{label}: p50 / p99 ms, errors",
            lambda r, n=name: f"{r[n]['p50_ms']} / {r[n]['p99_ms']}, {r[n]['errors']}",
        )
    row("64 clients matches: requests/s, p50 / p99 ms, errors", _matches)
    row("imports (100 / 1,000 / 10,000 items)", lambda r: r["imports"])
    row("weekly metrics, 52 weeks", lambda r: r["metrics"]["weekly_52"])
    row("network metrics", lambda r: r["metrics"]["network"])
    row("API peak RSS MiB, all processes", lambda r: r["api_peak_rss_mib"]["total"], "{:,.0f}")
    row(
        "API peak RSS MiB, largest worker",
        lambda r: (
            max(v for k, v in r["api_peak_rss_mib"].items() if k.startswith("worker"))
            or r["api_peak_rss_mib"]["supervisor"]
        ),
        "{:,.0f}",
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
