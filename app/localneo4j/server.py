"""Fetch, start, stop and inspect the local Neo4j server behind `rolodex neo4j start|stop|status`.

The jars come from Maven Central (first run only) into a git-ignored cache; the store, logs and
pid file live in a git-ignored home folder per instance, so the test suite's server (its own port
and home) never touches the one `make run` serves. `start` is idempotent and waits until Bolt
answers with our credentials; `stop` sends SIGTERM so the launcher's shutdown hook closes the
store cleanly.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

NEO4J_VERSION = "5.26.30"
LAUNCHER_CLASS = "RolodexNeo4j"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"
"""`neo4j-admin`'s entry point, in the neo4j-command-line jar; the import command comes with
the neo4j-import-tool jar (both pulled in by the `neo4j` artifact)."""
READY_MARKER = "rolodex-neo4j ready"

JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)


class LocalNeo4jError(RuntimeError):
    """Something a developer must fix (missing tool, port taken, server failed to start)."""


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    port: int
    home: Path
    uri: str

    def describe(self) -> str:
        if self.running:
            return (
                f"Neo4j {NEO4J_VERSION} running (pid {self.pid}) at {self.uri}, data in {self.home}"
            )
        return f"Neo4j not running (would serve {self.uri}, data in {self.home})"


@dataclass(frozen=True)
class LocalNeo4j:
    home: Path
    port: int
    password: str
    cache_dir: Path
    heap: str = "2g"
    pagecache_mib: int = 2048

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "neo4j-console.log"

    @property
    def jar_dir(self) -> Path:
        return self.cache_dir / "neo4j" / NEO4J_VERSION / "lib"

    @property
    def class_dir(self) -> Path:
        return self.cache_dir / "neo4j" / NEO4J_VERSION / "classes"

    # -- inspection ---------------------------------------------------------------------------

    def status(self) -> Status:
        pid = self._live_pid()
        return Status(
            running=pid is not None, pid=pid, port=self.port, home=self.home, uri=self.uri
        )

    def _live_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        # Guard against pid reuse: the process must be our launcher serving this home.
        if LAUNCHER_CLASS.encode() in cmdline and str(self.home.resolve()).encode() in cmdline:
            return pid
        return None

    # -- preparation --------------------------------------------------------------------------

    def ensure_installed(self) -> None:
        """Fetch the jars with Maven and compile the launcher, unless already cached."""
        for tool, package in (
            ("java", "a JDK 17 or 21 (Debian: openjdk-17-jdk)"),
            ("javac", "a JDK"),
        ):
            if shutil.which(tool) is None:
                raise LocalNeo4jError(f"`{tool}` not found: install {package}.")
        if not self._jars_present():
            if shutil.which("mvn") is None:
                raise LocalNeo4jError(
                    "`mvn` not found: install Maven (Debian: maven) to fetch Neo4j jars."
                )
            self._fetch_jars()
        launcher = self.class_dir / f"{LAUNCHER_CLASS}.class"
        if not launcher.exists():
            self._compile_launcher()

    def _jars_present(self) -> bool:
        return (self.jar_dir / ".complete").exists()

    def _fetch_jars(self) -> None:
        staging = self.jar_dir.with_name("lib.partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        pom = resources.files("app.localneo4j").joinpath("pom.xml")
        with resources.as_file(pom) as pom_path:
            command = [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(pom_path),
                f"-Dneo4j.version={NEO4J_VERSION}",
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging.resolve()}",
                "-DincludeScope=runtime",
            ]
            completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise LocalNeo4jError(
                "Maven could not fetch the Neo4j jars:\n"
                + (completed.stdout + completed.stderr)[-3000:]
            )
        shutil.rmtree(self.jar_dir, ignore_errors=True)
        staging.rename(self.jar_dir)
        (self.jar_dir / ".complete").write_text(NEO4J_VERSION)

    def _compile_launcher(self) -> None:
        self.class_dir.mkdir(parents=True, exist_ok=True)
        source = resources.files("app.localneo4j").joinpath(f"{LAUNCHER_CLASS}.java")
        with resources.as_file(source) as source_path:
            completed = subprocess.run(
                [
                    "javac",
                    "-cp",
                    f"{self.jar_dir.resolve()}/*",
                    "-d",
                    str(self.class_dir.resolve()),
                    str(source_path),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        if completed.returncode != 0:
            raise LocalNeo4jError(
                "Could not compile the Neo4j launcher:\n" + completed.stderr[-3000:]
            )

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout_seconds: float = 180.0) -> Status:
        """Start the server unless it already runs; wait until Bolt accepts our credentials."""
        current = self.status()
        if current.running:
            self._wait_until_ready(timeout_seconds, pid=current.pid, log_offset=0)
            return current
        if len(self.password) < 8:
            raise LocalNeo4jError(
                "NEO4J_PASSWORD must have at least 8 characters for the local server."
            )
        if _port_open(self.port):
            raise LocalNeo4jError(
                f"Port {self.port} is taken by another process; stop it or choose another port "
                "(ROLODEX_LOCAL_NEO4J_PORT)."
            )
        self.ensure_installed()
        self.home.mkdir(parents=True, exist_ok=True)
        log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        classpath = f"{self.jar_dir.resolve()}/*:{self.class_dir.resolve()}"
        command = [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *JVM_FLAGS,
            "-cp",
            classpath,
            LAUNCHER_CLASS,
            str(self.home.resolve()),
            str(self.port),
            str(self.pagecache_mib),
        ]
        env = {**os.environ, "NEO4J_PASSWORD": self.password}
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        try:
            self._wait_until_ready(timeout_seconds, pid=process.pid, log_offset=log_offset)
        except LocalNeo4jError:
            self.stop()
            raise
        return self.status()

    def _wait_until_ready(self, timeout_seconds: float, pid: int | None, log_offset: int) -> None:
        """Wait for the launcher's ready line (password set), then for Bolt to accept it."""
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if pid is not None and not _process_alive(pid):
                raise LocalNeo4jError(
                    f"Neo4j exited during start-up; see {self.log_file}:\n{self._log_tail()}"
                )
            if self._ready_line_written(log_offset) and _port_open(self.port):
                try:
                    with GraphDatabase.driver(self.uri, auth=("neo4j", self.password)) as driver:
                        driver.verify_connectivity()
                    return
                except AuthError as error:
                    raise LocalNeo4jError(
                        f"Neo4j at {self.uri} rejected NEO4J_PASSWORD: {error.message}"
                    ) from error
                except (ServiceUnavailable, OSError):
                    pass
            time.sleep(0.5)
        raise LocalNeo4jError(
            f"Neo4j did not answer on {self.uri} within {timeout_seconds:.0f}s:\n{self._log_tail()}"
        )

    def stop(self, timeout_seconds: float = 60.0) -> bool:
        """Shut the server down cleanly; return whether one was running."""
        pid = self._live_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline and _process_alive(pid):
            time.sleep(0.2)
        if _process_alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def import_full(
        self,
        nodes: Sequence[tuple[str, Path]],
        relationships: Sequence[tuple[str, Path]],
        *,
        multiline: Sequence[Path] = (),
        array_delimiter: str = ";",
        database: str = "neo4j",
        heap: str = "1g",
        off_heap: str = "2g",
    ) -> str:
        """Build `database` from CSV files with `neo4j-admin database import full` (the importer
        of our own jars), replacing its store; the server must be stopped. Returns the tool's
        output; raises LocalNeo4jError with its tail when it fails."""
        if self.status().running:
            raise LocalNeo4jError("stop Neo4j before an offline import")
        self.ensure_installed()
        conf = self.home / "admin-conf"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "neo4j.conf").touch()
        command = [
            "java",
            f"-Xmx{heap}",
            *JVM_FLAGS,
            "-cp",
            f"{self.jar_dir.resolve()}/*",
            ADMIN_CLASS,
            "database",
            "import",
            "full",
            database,  # before the file lists, which take every word after them
            "--overwrite-destination=true",
            "--id-type=string",
            f"--array-delimiter={array_delimiter}",
            f"--max-off-heap-memory={off_heap}",
            f"--report-file={(self.home / 'import.report').resolve()}",
            *(f"--nodes={label}={path.resolve()}" for label, path in nodes),
            *(f"--relationships={kind}={path.resolve()}" for kind, path in relationships),
        ]
        if multiline:
            command += [
                "--multiline-fields-format=v2",
                "--multiline-fields=" + ",".join(str(path.resolve()) for path in multiline),
            ]
        env = {
            **os.environ,
            "NEO4J_HOME": str(self.home.resolve()),
            "NEO4J_CONF": str(conf.resolve()),
        }
        completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        output = completed.stdout + completed.stderr
        if completed.returncode != 0:
            raise LocalNeo4jError("neo4j-admin database import failed:\n" + output[-3000:])
        return output

    def _ready_line_written(self, log_offset: int) -> bool:
        try:
            with self.log_file.open("rb") as log:
                log.seek(log_offset)
                return READY_MARKER.encode() in log.read()
        except OSError:
            return False

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _process_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
