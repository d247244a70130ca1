"""A first load of bulk rows, by the fastest way the target allows (`rolodex seed`, `rolodex load`).

When `NEO4J_URI` is the local Neo4j that `rolodex neo4j` manages and its database is empty, the
rows are written as CSV files (graph/admin_import.py), the server is stopped, the store is built
by `neo4j-admin database import full`, the server is started again and the schema migrations
create the constraints and indexes afterwards. Otherwise (a remote server, a database with data,
rows the import files cannot carry exactly, or an import that fails) the rows go through the
driver's bulk path (graph/bulk.py). Both make the same graph; the report says which path ran.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from app.cli.database import open_graph
from app.localneo4j.server import LocalNeo4j, LocalNeo4jError
from app.settings import Settings
from graph import admin_import
from graph.bulk import DEFAULT_BATCH_SIZE, BulkStats, Kind, load
from graph.schema import migrate

BatchSizeOption = Annotated[
    int, typer.Option(min=1, help="Rows per write transaction (driver path).")
]
OfflineImportOption = Annotated[
    bool,
    typer.Option(
        help="On an empty local Neo4j (`rolodex neo4j`), build the store with "
        "neo4j-admin database import; otherwise the driver's bulk path is used."
    ),
]
"""The options `rolodex seed` and `rolodex load` share."""

Parts = Sequence[tuple[Kind, Sequence[Mapping[str, Any]]]]
ADMIN_PATH = "neo4j-admin database import"
DRIVER_PATH = "driver bulk path"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass
class LoadReport:
    """Which path loaded the rows, why, and what it created."""

    path: str
    reason: str
    nodes_created: int = 0
    relationships_created: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "reason": self.reason,
            "nodes_created": self.nodes_created,
            "relationships_created": self.relationships_created,
            "load_seconds": round(self.seconds, 3),
            "phases": {name: round(value, 3) for name, value in self.phases.items()},
            "by_kind": self.by_kind,
        }


def local_server(settings: Settings) -> LocalNeo4j | None:
    """The local server `rolodex neo4j` manages, if `NEO4J_URI` points at it and it runs."""
    target = urlsplit(settings.neo4j_uri)
    if target.scheme not in ("bolt", "neo4j") or target.hostname not in LOOPBACK:
        return None
    if (target.port or 7687) != settings.local_neo4j_port:
        return None
    server = LocalNeo4j(
        home=settings.local_neo4j_home,
        port=settings.local_neo4j_port,
        password=settings.neo4j_password.get_secret_value(),
        cache_dir=settings.cache_dir,
        heap=settings.local_neo4j_heap,
        pagecache_mib=settings.local_neo4j_pagecache_mib,
    )
    return server if server.status().running else None


async def first_load(
    settings: Settings,
    parts: Parts,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
    server: LocalNeo4j | None = None,
    allow_import: bool = True,
) -> LoadReport:
    """Load `parts` (parents first) by the offline importer when allowed, else by the driver."""
    started = time.perf_counter()
    server = server or (local_server(settings) if allow_import else None)
    graph = await open_graph(settings)
    try:
        await migrate(graph)
        if not allow_import:
            reason = "the offline importer was not asked for"
        elif server is None:
            reason = "NEO4J_URI is not the running local Neo4j that `rolodex neo4j` manages"
        elif not await admin_import.is_empty(graph):
            reason = "the database is not empty"
        else:
            reason = ""
    finally:
        await graph.close()
    if server is not None and not reason:
        with tempfile.TemporaryDirectory(prefix="rolodex-import-") as folder:
            try:
                report = await _offline(settings, server, parts, Path(folder))
                report.seconds = time.perf_counter() - started
                return report
            except admin_import.UnsupportedRowsError as error:
                reason = f"the rows cannot be imported offline unchanged ({error})"
            except LocalNeo4jError as error:
                reason = f"the offline import failed, the server was restarted: {error}"
    report = await _driver(settings, parts, batch_size, progress, reason)
    report.seconds = time.perf_counter() - started
    return report


async def _offline(
    settings: Settings, server: LocalNeo4j, parts: Parts, folder: Path
) -> LoadReport:
    phases: dict[str, float] = {}
    mark = time.perf_counter()
    files = admin_import.write(parts, folder)
    phases["write_csv"] = time.perf_counter() - mark
    mark = time.perf_counter()
    server.stop()
    phases["stop"] = time.perf_counter() - mark
    mark = time.perf_counter()
    try:
        server.import_full(
            files.nodes,
            files.relationships,
            multiline=files.multiline,
            array_delimiter=admin_import.ARRAY_DELIMITER_OPTION,
            database=settings.neo4j_database,
        )
    finally:
        phases["import"] = time.perf_counter() - mark
        mark = time.perf_counter()
        server.start()
        phases["start"] = time.perf_counter() - mark
    mark = time.perf_counter()
    graph = await open_graph(settings)
    try:
        await migrate(graph)
    finally:
        await graph.close()
    phases["migrate"] = time.perf_counter() - mark
    return LoadReport(
        path=ADMIN_PATH,
        reason="the local Neo4j's database was empty",
        nodes_created=files.node_count,
        relationships_created=files.relationship_count,
        phases=phases,
        by_kind={kind.name: len(rows) for kind, rows in parts},
    )


async def _driver(
    settings: Settings,
    parts: Parts,
    batch_size: int,
    progress: Callable[[str, int], None] | None,
    reason: str,
) -> LoadReport:
    graph = await open_graph(settings)
    total = BulkStats()
    by_kind: dict[str, int] = {}
    try:
        for kind, rows in parts:

            def advance(done: int, name: str = kind.name) -> None:
                if progress is not None:
                    progress(name, done)

            stats = await load(graph, kind, rows, batch_size=batch_size, progress=advance)
            total.add(stats)
            by_kind[kind.name] = stats.rows
    finally:
        await graph.close()
    return LoadReport(
        path=DRIVER_PATH,
        reason=reason,
        nodes_created=total.nodes_created,
        relationships_created=total.relationships_created,
        by_kind=by_kind,
    )
