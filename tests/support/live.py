"""Real Rolodex instances for end-to-end tests: uvicorn in a child process on a loopback port,
talking to a real Neo4j, with access tokens minted from the instance's own key ring.

Also a dedicated, disposable Neo4j per test module (own port and home) for the tests that kill
servers, so they never touch the suite's shared one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from neo4j import GraphDatabase

from app.localneo4j.server import LocalNeo4j
from auth.keys import KeyRing
from auth.principals import Role, Scope
from auth.tokens import issue_access_token
from tests.conftest import TEST_NEO4J_HOME, TEST_NEO4J_PASSWORD, TEST_NEO4J_PORT

ROOT = Path(__file__).resolve().parents[2]
ALL_PARTNER_SCOPES = tuple(scope.value for scope in Scope)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def dedicated_neo4j(offset: int, name: str, heap: str = "512m") -> LocalNeo4j:
    """A Neo4j of its own at `ROLODEX_TEST_NEO4J_PORT + offset`, data beside the suite's."""
    return LocalNeo4j(
        home=TEST_NEO4J_HOME.with_name(name),
        port=TEST_NEO4J_PORT + offset,
        password=TEST_NEO4J_PASSWORD,
        cache_dir=Path(os.environ.get("ROLODEX_CACHE_DIR", ".cache")),
        heap=heap,
        pagecache_mib=128,
    )


def wipe(neo4j_uri: str) -> None:
    """Delete everything but the schema migration records."""
    with GraphDatabase.driver(neo4j_uri, auth=("neo4j", TEST_NEO4J_PASSWORD)) as driver:
        driver.execute_query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n")


def count(neo4j_uri: str, cypher: str, **parameters: Any) -> int:
    """The single number a counting query returns."""
    with GraphDatabase.driver(neo4j_uri, auth=("neo4j", TEST_NEO4J_PASSWORD)) as driver:
        records, _, _ = driver.execute_query(cypher, parameters)
        return int(records[0][0])


@dataclass
class LiveServer:
    name: str
    url: str
    keys_dir: Path
    neo4j_uri: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def token(self, subject: str, role: Role | str, **extra: Any) -> str:
        ring = KeyRing.load("access", self.keys_dir / "access")
        return issue_access_token(
            ring,
            issuer=self.url,
            audience=self.url,
            subject=subject,
            role=Role(role),
            ttl=timedelta(minutes=30),
            **extra,
        )

    def headers(self, subject: str, role: Role | str, **extra: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, role, **extra)}"}

    def admin(self) -> dict[str, str]:
        return self.headers("operator", Role.ADMIN, programs=["*"])

    def partner(
        self, platform_id: str, scopes: Iterable[str] = ALL_PARTNER_SCOPES
    ) -> dict[str, str]:
        return self.headers(
            f"client_{platform_id}", Role.PARTNER, scopes=list(scopes), platform_id=platform_id
        )

    def count(self, cypher: str, **parameters: Any) -> int:
        return count(self.neo4j_uri, cypher, **parameters)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no lifespan exit, requests in flight cut off."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    name: str,
    neo4j_uri: str,
    tmp: Path,
    env: Mapping[str, str] | None = None,
    *,
    keys_dir: Path | None = None,
    port: int | None = None,
    timeout_seconds: float = 90.0,
) -> LiveServer:
    """Start `uvicorn app.main:create_app` on 127.0.0.1 and wait until /readyz answers 200."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    keys_dir = keys_dir or tmp / f"keys-{name}"
    log_path = tmp / f"{name}.log"
    environment = {
        **os.environ,
        "NEO4J_URI": neo4j_uri,
        "NEO4J_PASSWORD": TEST_NEO4J_PASSWORD,
        "ROLODEX_ENVIRONMENT": "test",
        "ROLODEX_PUBLIC_URL": url,
        "ROLODEX_PLATFORM_ID": name,
        "ROLODEX_KEYS_DIR": str(keys_dir),
        "ROLODEX_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(name, url, keys_dir, neo4j_uri, process, log_path)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    server.kill()
    raise AssertionError(f"instance {name} did not start:\n{server.logs()[-3000:]}")
