"""py-spy of the API workers while exports or imports run: where a request's CPU goes.

`python -m bench.pyspy export [N]` starts the bench Neo4j and a `rolodex serve` (bench/api.py)
on the graph a `BENCH_STAGES=export` run left (the probe people must exist), attaches
`py-spy record` (raw collapsed stacks) to each uvicorn worker, makes N (200) sequential exports of
the 10-contact probe and prints their p50/p99 and the busiest frames. `python -m bench.pyspy
imports [N]` does the same for a partner's fresh push of an N-contact bundle (10,000) and one
unchanged re-import. The stacks are written to `<out>-<worker>.txt` (`BENCH_PYSPY_OUT`, default
`bench/results/pyspy`, git-ignored). py-spy is not a dependency: `pip install py-spy` into the venv first.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench import imports
from bench.api import BASE_URL, api_server, keystore, operator_token, person_token
from bench.checks import expect
from bench.common import RESULTS, bench_server, percentiles

OWN_CODE = re.compile(r"\((?:.*/)?((?:app|auth|graph|portability|credentials)/[^)]*)\)")


def busiest(stacks: list[Path], within: str, top: int = 25) -> list[tuple[float, str]]:
    """Share of the samples whose stack passes through `within`, per frame of our own code
    (inclusive), busiest first."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for path in stacks:
        for line in path.read_text().splitlines():
            stack, _, number = line.rpartition(" ")
            if within not in stack or not number.isdigit():
                continue
            total += int(number)
            seen = set()
            for frame in stack.split(";"):
                found = OWN_CODE.search(frame)
                name = f"{frame.split(' (')[0]} {found.group(1)}" if found else ""
                if name and name not in seen:
                    seen.add(name)
                    counts[name] += int(number)
    return (
        [(round(100 * n / total, 1), name) for name, n in counts.most_common(top)] if total else []
    )


def _exports(n: int, keys: Any) -> dict[str, Any]:
    person = "per_probe10"
    headers = {"Authorization": f"Bearer {person_token(keys, person)}"}
    timings = []
    with httpx.Client(base_url=BASE_URL, timeout=60) as client:
        for _ in range(n):
            started = time.perf_counter()
            response = client.post(
                f"/v1/people/{person}/bundles", json={"audience": "self"}, headers=headers
            )
            timings.append(time.perf_counter() - started)
            expect(response, 201, "export of the 10-contact probe")
    return percentiles(timings)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "export"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else (200 if mode == "export" else 10_000)
    out = os.environ.get("BENCH_PYSPY_OUT", str(RESULTS / "pyspy"))
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    imports.PLATFORM = f"bench-pyspy-{time.time_ns()}"  # its own registration each run
    with bench_server(), api_server() as api:
        keys = keystore()
        if mode == "export":
            _exports(10, keys)  # warm-up (and the self grant)
        files = [Path(f"{out}-{worker}.txt") for worker in sorted(api.workers())]
        spies = [
            subprocess.Popen(
                [
                    pyspy,
                    "record",
                    "--nonblocking",
                    "-r",
                    "100",
                    "-f",
                    "raw",
                    "-o",
                    str(path),
                    "--pid",
                    path.stem.rsplit("-", 1)[1],
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for path in files
        ]
        time.sleep(2)
        if mode == "export":
            print("export of 10 contacts", _exports(n, keys))
            within = "export (app/routers/bundles.py"
        else:
            print(imports.import_bundles(keys, operator_token(keys), (n,), repeat=1))
            within = "BundleImporter.run"
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(timeout=120)
    stacks = [path for path in files if path.exists() and path.stat().st_size]
    for share, name in busiest(stacks, within):
        print(f"{share:5.1f}% {name}")


if __name__ == "__main__":
    main()
