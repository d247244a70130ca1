"""Only the read-side stages of `make bench`: matches and metrics, for measuring one change fast.

`python -m bench.read_side` loads, for each size in `BENCH_PEOPLE` (default `10000,50000`), the
same synthetic network `make bench` loads (service path, on a wiped database) unless the bench
database already holds that many people and `BENCH_READ_REUSE=1` (then it is kept, so a
before/after pair can measure the same graph), then: the `PROFILE`s of `bench/profiles.py`, the
API process, weekly and network metrics over 52 weeks, matches from one client
(`BENCH_SAMPLES`, default 50) and 64 clients on matches for `BENCH_LOAD_SECONDS` (default 20).
Prints one JSON object per size and writes `bench/results/read-side-<time>.json` (git-ignored).
Every timed call is checked as in `make bench`.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from typing import Any

from auth.principals import Role
from bench import bulk_load, concurrency, metrics, profiles
from bench.api import api_server, keystore, operator_token, person_token
from bench.common import RESULTS, counts, log, machine, raw_driver, server, wipe
from bench.run import _env_int, _loadavg, _mentees, _one_client_matches
from graph import bulk


def _load(people: int) -> tuple[Any, dict[str, Any]]:
    net = bulk_load.network(
        people,
        float(os.environ.get("BENCH_AVG_CONTACTS", "5")),
        _env_int("BENCH_PROGRAMS", 20),
        _env_int("BENCH_WEEKS", 26),
        1,
    )
    driver = raw_driver()
    try:
        have = counts(driver)
        people_now = driver.execute_query("MATCH (p:Person) RETURN count(p) AS n").records[0]["n"]
        loaded: dict[str, Any] = {"reused": False}
        if os.environ.get("BENCH_READ_REUSE") == "1" and people_now == people:
            loaded["reused"] = True
        else:
            wipe(driver)
            loaded |= bulk_load.service_load(net, bulk.DEFAULT_BATCH_SIZE)
        loaded["graph"] = counts(driver) if not loaded["reused"] else have
    finally:
        driver.close()
    return net, loaded


def one_size(people: int) -> dict[str, Any]:
    log(f"{people} people: load")
    net, result = _load(people)
    result["people"] = people
    mentee = _mentees(net, 1)[0]["id"]
    log("profiles")
    driver = raw_driver()
    try:
        result["profiles"] = profiles.profiles(driver, mentee, bulk_load.UNTIL)
    finally:
        driver.close()
    keys = keystore()
    mentees = {p["id"]: person_token(keys, p["id"], Role.MENTEE) for p in _mentees(net, 128)}
    with api_server():
        _one_client_matches(dict(list(mentees.items())[:4]), 4)  # warm-up
        log("weekly and network metrics over 52 weeks")  # first: no backlog of matches
        result["metrics"] = metrics.weekly_and_network(operator_token(keys), bulk_load.UNTIL)
        result["metrics"]["load_average"] = _loadavg()
        log("matches, one client")
        result["matches_one_client"] = _one_client_matches(mentees, _env_int("BENCH_SAMPLES", 50))
        seconds = _env_int("BENCH_LOAD_SECONDS", 20)
        log(f"64 clients on matches for {seconds} s")
        result["load matches"] = concurrency.run(
            concurrency.Target(
                "GET /v1/people/{id}/matches",
                "GET",
                [(f"/v1/people/{pid}/matches", token) for pid, token in mentees.items()],
            ),
            seconds,
        )
    return result


def main() -> None:
    sizes = [int(n) for n in os.environ.get("BENCH_PEOPLE", "10000,50000").split(",")]
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": {},
    }
    instance = server()
    was_running = instance.status().running
    instance.start()
    try:
        for people in sizes:
            report["sizes"][str(people)] = one_size(people)
            print(json.dumps(report["sizes"][str(people)], default=str), flush=True)
    finally:
        if not was_running and os.environ.get("BENCH_READ_REUSE") != "1":
            instance.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = report["started_at"].replace(":", "").replace("-", "")[:15]
    (RESULTS / f"read-side-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    log(f"done at {time.strftime('%H:%M:%S')}")


if __name__ == "__main__":
    main()
