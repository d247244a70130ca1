"""`rolodex migrate` and `rolodex demo`: schema migrations and the small demo graph."""

from __future__ import annotations

import asyncio

import typer

from app.settings import Settings
from graph.db import Graph, GraphUnavailableError, connect
from graph.demo import load_demo_if_empty
from graph.schema import migrate


async def open_graph(settings: Settings) -> Graph:
    return await connect(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
        attempts=settings.neo4j_connect_attempts,
        backoff_seconds=settings.neo4j_connect_backoff_seconds,
    )


def register(cli: typer.Typer) -> None:
    @cli.command("migrate")
    def migrate_command() -> None:
        """Apply pending schema migrations (idempotent)."""

        async def run() -> None:
            graph = await open_graph(Settings())
            try:
                applied = await migrate(graph)
            finally:
                await graph.close()
            if applied:
                for migration in applied:
                    typer.echo(f"applied {migration.version}: {migration.name}")
            else:
                typer.echo("schema up to date")

        _run_or_exit(run())

    @cli.command("demo")
    def demo_command() -> None:
        """Load a small demo graph when the database holds no people yet."""

        async def run() -> None:
            graph = await open_graph(Settings())
            try:
                await migrate(graph)
                loaded = await load_demo_if_empty(graph)
            finally:
                await graph.close()
            typer.echo("demo graph loaded" if loaded else "database not empty: demo graph skipped")

        _run_or_exit(run())


def _run_or_exit(coroutine: object) -> None:
    try:
        asyncio.run(coroutine)  # type: ignore[arg-type]
    except GraphUnavailableError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
