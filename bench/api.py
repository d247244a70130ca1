"""The API under test: a real `rolodex serve` (uvicorn) process on loopback, tokens for it, and
the probe people whose exports are timed.

The server runs with the bench Neo4j, its own key folder, rate limits lifted (the bench is the
only client) and the webhook worker off; everything else is the production code path, request
logging included (at WARNING, so one JSON line per request is not written to a terminal).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from app.settings import Settings
from auth.keys import KeyStore, load_keystore
from auth.principals import Role
from auth.tokens import issue_access_token
from bench.common import PASSWORD, ROOT, URI
from graph.synthetic import Network

API_PORT = int(os.environ.get("ROLODEX_BENCH_API_PORT", "8741"))
API_WORKERS = int(os.environ.get("BENCH_API_WORKERS", "2"))
"""Uvicorn workers, as the Dockerfile runs the service (`ROLODEX_WORKERS=2`)."""
BASE_URL = f"http://127.0.0.1:{API_PORT}"
KEYS_DIR = ROOT / "var" / "bench-keys"
PROBE_CONTACTS = (10, 100, 1000)


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "NEO4J_URI": URI,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": PASSWORD,
        "ROLODEX_ENVIRONMENT": "development",
        "ROLODEX_PUBLIC_URL": BASE_URL,
        "ROLODEX_KEYS_DIR": str(KEYS_DIR),
        "ROLODEX_LOG_LEVEL": "WARNING",
        "ROLODEX_WEBHOOK_WORKER_ENABLED": "false",
        "ROLODEX_RATE_LIMIT_EXPORT_PER_MINUTE": "100000000",
        "ROLODEX_RATE_LIMIT_IMPORT_PER_MINUTE": "100000000",
        "ROLODEX_RATE_LIMIT_BURST": "100000000",
    }


@dataclass
class ApiProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        """The worker processes uvicorn started (none when it serves in-process)."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.pid:
                    children.append(int(entry.name))
        return children

    def peak_rss_mib(self) -> dict[str, float]:
        """Peak resident set size (VmHWM) of the supervisor and each worker, and their sum."""
        peaks = {"supervisor": _peak_rss(self.pid)}
        for number, pid in enumerate(sorted(self.workers()), start=1):
            peaks[f"worker_{number}"] = _peak_rss(pid)
        peaks["total"] = round(sum(peaks.values()), 1)
        return peaks


def _peak_rss(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


@contextmanager
def api_server() -> Iterator[ApiProcess]:
    """Start `rolodex serve` on the bench port and wait for /readyz; stop it after."""
    log_path = ROOT / "var" / "bench-api.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                f"{API_PORT}",
                "--workers",
                f"{API_WORKERS}",
            ],
            cwd=ROOT,
            env=server_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    api = ApiProcess(process, log_path)
    try:
        # a loaded machine starts two workers slowly
        deadline = time.monotonic() + float(os.environ.get("BENCH_API_READY_SECONDS", "300"))
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the API exited early; see {log_path}")
            try:
                if httpx.get(f"{BASE_URL}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the API did not become ready; see {log_path}")
            time.sleep(0.3)
        yield api
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def keystore() -> KeyStore:
    """The bench server's key rings (made on first use, like a development server does)."""
    settings = Settings(keys_dir=KEYS_DIR, environment="development")
    return load_keystore(settings.keys_dir, generate=True)


def person_token(keys: KeyStore, person_id: str, role: Role = Role.MENTEE) -> str:
    return issue_access_token(
        keys.access,
        issuer=BASE_URL,
        audience=BASE_URL,
        subject=person_id,
        role=role,
        ttl=timedelta(minutes=55),
    )


def operator_token(keys: KeyStore) -> str:
    """An operator: an admin whose programs are `["*"]` (every program, as the metrics need)."""
    return issue_access_token(
        keys.access,
        issuer=BASE_URL,
        audience=BASE_URL,
        subject="bench-operator",
        role=Role.ADMIN,
        ttl=timedelta(minutes=55),
        programs=("*",),
    )


def partner_token(keys: KeyStore, platform_id: str, scopes: tuple[str, ...]) -> str:
    """A partner platform's client token (e.g. `imports:write` to push bundles)."""
    return issue_access_token(
        keys.access,
        issuer=BASE_URL,
        audience=BASE_URL,
        subject=f"client_{platform_id}",
        role=Role.PARTNER,
        ttl=timedelta(minutes=55),
        scopes=scopes,
        platform_id=platform_id,
    )


def probe_rows(net: Network, contacts: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """A person with exactly `contacts` KNOWS contacts (to people of `net`), mentee in one and
    mentor in two mentorships of 8 sessions each, with measurements: what an export reads."""
    moment = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    person_id = f"per_probe{contacts}"
    cohort = net.cohorts[0]
    outcome = next(o for o in net.outcomes if o["cohort_id"] == cohort["id"])
    others = [p["id"] for p in net.people]
    step = max(1, len(others) // (contacts + 3))
    chosen = others[::step][: contacts + 3]
    person = {
        "id": person_id,
        "display_name": f"Probe {contacts}",
        "headline": "Benchmark probe",
        "skills": ["python", "leadership"],
        "interests": ["graphs"],
        "languages": ["en"],
        "timezone": "Europe/London",
        "roles": ["mentor", "mentee"],
        "capacity": 5,
        "discoverable": True,
        "created_at": moment - timedelta(days=400),
        "updated_at": moment,
    }
    knows = [
        {
            "id": f"ctc_probe{contacts}-{n:04d}",
            "from_id": person_id,
            "to_id": other,
            "relation": "colleague",
            "context": "Worked together",
            "since": date(2020, 1, 1),
            "source": "manual",
            "created_at": moment - timedelta(minutes=n),
        }
        for n, other in enumerate(chosen[:contacts])
    ]
    mentorships: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    for n, other in enumerate(chosen[contacts : contacts + 3]):
        mentorship_id = f"mnt_probe{contacts}-{n}"
        mentor, mentee = (other, person_id) if n == 0 else (person_id, other)
        mentorships.append(
            {
                "id": mentorship_id,
                "mentor_id": mentor,
                "mentee_id": mentee,
                "cohort_id": cohort["id"],
                "status": "active",
                "goals": ["Grow"],
                "proposed_by": "mentee",
                "proposed_at": moment - timedelta(days=90),
                "started_at": moment - timedelta(days=88),
                "updated_at": moment - timedelta(days=88),
            }
        )
        for s in range(8):
            scheduled = moment - timedelta(days=80 - 9 * s)
            sessions.append(
                {
                    "id": f"ses_probe{contacts}-{n}-{s}",
                    "mentorship_id": mentorship_id,
                    "status": "completed",
                    "scheduled_at": scheduled,
                    "requested_at": scheduled - timedelta(days=3),
                    "responded_at": scheduled - timedelta(days=2),
                    "sentiment_pre": 3,
                    "sentiment_post": 4,
                    "created_at": scheduled - timedelta(days=3),
                    "updated_at": scheduled + timedelta(hours=1),
                    "completed_at": scheduled + timedelta(hours=1),
                }
            )
    measurements = [
        {
            "id": f"msr_probe{contacts}-{n}",
            "outcome_id": outcome["id"],
            "person_id": person_id,
            "value": 2.0 + n,
            "measured_at": moment - timedelta(days=30 * (3 - n)),
            "recorded_at": moment - timedelta(days=30 * (3 - n)),
        }
        for n in range(3)
    ]
    return {
        "person": [person],
        "knows": knows,
        "mentorship": mentorships,
        "session": sessions,
        "measurement": measurements,
    }
