"""The service run for real, for end-to-end tests: uvicorn in a subprocess on a free loopback port,
against the suite's Neo4j, with its own key folder; plus admin tokens it accepts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from app.security_setup import build_keystore
from app.settings import Settings
from auth.principals import Role
from auth.tokens import issue_access_token

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 90.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    settings: Settings
    """The settings the server runs with (same Neo4j, keys folder and public URL)."""
    log_path: Path

    def token(
        self,
        subject: str,
        role: Role,
        *,
        programs: tuple[str, ...] = ("*",),
        ttl: int = 1800,
        scopes: tuple[str, ...] = (),
        platform_id: str | None = None,
    ) -> str:
        """An access token the server accepts, signed with its own key ring."""
        keystore = build_keystore(self.settings)
        return issue_access_token(
            keystore.access,
            issuer=self.settings.public_url,
            audience=self.settings.access_token_audience,
            subject=subject,
            role=role,
            ttl=timedelta(seconds=ttl),
            programs=programs if role is Role.ADMIN else (),
            scopes=scopes,
            platform_id=platform_id,
        )

    def headers(self, subject: str, role: Role, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, role, **kwargs)}"}

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _environment(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without any ROLODEX_/NEO4J_ setting, then the server's own."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ROLODEX_", "NEO4J_"))
    }
    return {
        **inherited,
        "ROLODEX_ENVIRONMENT": settings.environment,
        "ROLODEX_PUBLIC_URL": settings.public_url,
        "ROLODEX_PLATFORM_ID": settings.platform_id,
        "ROLODEX_KEYS_DIR": str(settings.keys_dir),
        "ROLODEX_LOG_LEVEL": "WARNING",
        "ROLODEX_WEBHOOK_WORKER_ENABLED": "false",
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "NEO4J_DATABASE": settings.neo4j_database,
        **(extra or {}),
    }


@contextmanager
def live_server(
    suite_settings: Settings,
    workdir: Path,
    *,
    public_url: str | None = None,
    keys_dir: Path | None = None,
    environment: dict[str, str] | None = None,
    port: int | None = None,
) -> Iterator[LiveServer]:
    """Start `uvicorn --factory app.main:create_app` and wait until `/readyz` says ready.

    Several instances behind one load balancer share `public_url` (the issuer) and `keys_dir`;
    `environment` adds or overrides `ROLODEX_*` settings of the process; `port` is a free one
    unless given (when another process must know the address first).
    """
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = suite_settings.model_copy(
        update={
            "public_url": public_url or base_url,
            "keys_dir": keys_dir or workdir / "keys",
            "token_audience": None,
        }
    )
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "server.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "app.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_environment(settings, environment),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(base_url=base_url, settings=settings, log_path=log_path)
    try:
        _wait_until_ready(process, server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_ready(process: subprocess.Popen[bytes], server: LiveServer) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    with httpx.Client(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {process.returncode}:\n{server.log_tail()}"
                )
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
    raise RuntimeError(
        f"the server was not ready in {READY_TIMEOUT_SECONDS} s:\n{server.log_tail()}"
    )
