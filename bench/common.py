"""What every benchmark shares: the bench Neo4j (its own port and home), raw-driver helpers,
timing statistics, the machine description, and JSON output.

The bench server is never the one `make run` or the tests use: port 7741, data in
`var/neo4j-bench` (override with `ROLODEX_BENCH_NEO4J_PORT` / `ROLODEX_BENCH_NEO4J_HOME`).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import neo4j

from app.localneo4j.server import NEO4J_VERSION, LocalNeo4j

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PORT = int(os.environ.get("ROLODEX_BENCH_NEO4J_PORT", "7741"))
HOME = Path(os.environ.get("ROLODEX_BENCH_NEO4J_HOME", str(ROOT / "var" / "neo4j-bench")))
PASSWORD = os.environ.get("ROLODEX_BENCH_NEO4J_PASSWORD", "bench-password-123")
URI = f"bolt://127.0.0.1:{PORT}"
DATABASE = "neo4j"

logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)  # "label does not exist yet"


def server() -> LocalNeo4j:
    return LocalNeo4j(
        home=HOME,
        port=PORT,
        password=PASSWORD,
        cache_dir=Path(os.environ.get("ROLODEX_CACHE_DIR", str(ROOT / ".cache"))),
        heap=os.environ.get("ROLODEX_LOCAL_NEO4J_HEAP", "2g"),
        pagecache_mib=int(os.environ.get("ROLODEX_LOCAL_NEO4J_PAGECACHE_MIB", "2048")),
    )


@contextmanager
def bench_server() -> Iterator[LocalNeo4j]:
    """The bench Neo4j for the duration of the block; stopped after unless it was running."""
    instance = server()
    was_running = instance.status().running
    instance.start()
    try:
        yield instance
    finally:
        if not was_running:
            instance.stop()


def raw_driver() -> neo4j.Driver:
    """The plain synchronous driver, as a script with no service code would use it."""
    return neo4j.GraphDatabase.driver(URI, auth=("neo4j", PASSWORD))


def wipe(driver: neo4j.Driver) -> float:
    """Delete every node but the migration records (in batches); the seconds it took."""
    started = time.perf_counter()
    with driver.session(database=DATABASE) as session:
        session.run(
            "MATCH (n) WHERE NOT n:SchemaMigration "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
        ).consume()
    return time.perf_counter() - started


def counts(driver: neo4j.Driver) -> dict[str, int]:
    with driver.session(database=DATABASE) as session:
        nodes = session.run("MATCH (n) RETURN count(n) AS n").single()
        rels = session.run("MATCH ()-[r]->() RETURN count(r) AS n").single()
    assert nodes is not None
    assert rels is not None
    return {"nodes": int(nodes["n"]), "relationships": int(rels["n"])}


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of `samples` (seconds), in milliseconds."""
    if not samples:
        return {}
    ordered = sorted(samples)

    def at(q: float) -> float:
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return round(ordered[index] * 1000, 2)

    return {
        "n": len(ordered),
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def machine() -> dict[str, Any]:
    """Where the numbers come from."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kib = 0
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "neo4j": f"{NEO4J_VERSION} Community (embedded, heap "
        f"{os.environ.get('ROLODEX_LOCAL_NEO4J_HEAP', '2g')}, page cache "
        f"{os.environ.get('ROLODEX_LOCAL_NEO4J_PAGECACHE_MIB', '2048')} MiB)",
        "python": platform.python_version(),
        "neo4j_driver": neo4j.__version__,
        "rust_ext": _rust_ext(),
        "load_average_at_start": [round(x, 2) for x in load],
        "git": _git_head(),
    }


def _rust_ext() -> str | None:
    try:
        from importlib.metadata import version

        return version("neo4j-rust-ext")
    except Exception:
        return None


def _git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def emit(result: dict[str, Any]) -> None:
    """Print one benchmark's result as a JSON line on stdout."""
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def log(message: str) -> None:
    """Progress for the person watching, on stderr (stdout is JSON only)."""
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()
