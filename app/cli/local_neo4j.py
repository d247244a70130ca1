"""`rolodex neo4j start|stop|status`: the local Neo4j server for development and tests."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.cli.errors import fail
from app.localneo4j.server import LocalNeo4j, LocalNeo4jError
from app.settings import Settings

cli = typer.Typer(
    no_args_is_help=True, help="Run a local Neo4j Community server (jars from Maven Central)."
)
console = Console(stderr=True)

PortOption = Annotated[
    int | None, typer.Option(help="Bolt port (default: ROLODEX_LOCAL_NEO4J_PORT or 7687).")
]
HomeOption = Annotated[
    Path | None, typer.Option(help="Data and log folder (default: ROLODEX_LOCAL_NEO4J_HOME).")
]


def server_from_settings(
    settings: Settings, port: int | None = None, home: Path | None = None
) -> LocalNeo4j:
    return LocalNeo4j(
        home=home or settings.local_neo4j_home,
        port=port or settings.local_neo4j_port,
        password=settings.neo4j_password.get_secret_value(),
        cache_dir=settings.cache_dir,
        heap=settings.local_neo4j_heap,
        pagecache_mib=settings.local_neo4j_pagecache_mib,
    )


@cli.command()
def start(port: PortOption = None, home: HomeOption = None) -> None:
    """Start the server (idempotent) and wait until Bolt answers."""
    server = server_from_settings(Settings(), port, home)
    try:
        with console.status("starting Neo4j (the first run downloads its jars)…"):
            status = server.start()
    except LocalNeo4jError as error:
        fail(str(error))
    console.print(status.describe())


@cli.command()
def stop(port: PortOption = None, home: HomeOption = None) -> None:
    """Shut the server down cleanly (store checkpointed and closed)."""
    server = server_from_settings(Settings(), port, home)
    was_running = server.stop()
    console.print("Neo4j stopped" if was_running else "Neo4j was not running")


@cli.command()
def status(port: PortOption = None, home: HomeOption = None) -> None:
    """Say whether the server runs, its pid, Bolt URI and data folder; exit 3 when it does not."""
    current = server_from_settings(Settings(), port, home).status()
    typer.echo(current.describe())
    if not current.running:
        raise typer.Exit(3)
