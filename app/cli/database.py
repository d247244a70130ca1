"""`rolodex migrate` and `rolodex demo`: schema migrations and the small demo graph."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import typer

from app.settings import Settings
from graph.db import Graph, connect
from graph.demo import (
    DEMO_ADMIN,
    DEMO_COHORT,
    DEMO_PROGRAM,
    demo_people_present,
    load_demo_if_empty,
)
from graph.schema import migrate


async def open_graph(settings: Settings) -> Graph:
    """The graph for a command. The driver's server notifications (e.g. a label the first
    migration has not created yet) and the per-attempt "not reachable" warnings stay out of the
    terminal, as in the service's logs: a command says what failed once, in one line."""
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    logging.getLogger("graph.db").setLevel(logging.ERROR)
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
        """Load a small demo graph when the database holds no people yet, then list its people
        (names, ids, roles) and how to get a token for one."""

        async def run() -> tuple[bool, list[dict[str, Any]]]:
            graph = await open_graph(Settings())
            try:
                await migrate(graph)
                loaded = await load_demo_if_empty(graph)
                return loaded, await demo_people_present(graph)
            finally:
                await graph.close()

        loaded, people = asyncio.run(run())
        typer.echo(
            f"demo graph loaded: program {DEMO_PROGRAM}, cohort {DEMO_COHORT}"
            if loaded
            else "database not empty: demo graph skipped"
        )
        typer.echo(demo_guide(people))


def demo_guide(people: list[dict[str, Any]]) -> str:
    """The demo people and the commands that get a token for one of them (or for an admin)."""
    if not people:
        return "The demo people are not in this database (it held other people already)."
    width = max(len(str(person["display_name"])) for person in people)
    lines = ["Demo people (name, id, roles):"]
    lines += [
        f"  {str(person['display_name']).ljust(width)}  {person['id']:<14} "
        f"{', '.join(person['roles'] or [])}"
        for person in people
    ]
    first = str(people[-1]["display_name"]).split()[0]
    lines += [
        "Get a token (development only) and call the API with it:",
        f'  TOKEN=$(rolodex tokens issue --person "{first}")   # as {people[-1]["display_name"]}',
        f"  TOKEN=$(rolodex tokens issue --subject {DEMO_ADMIN} --role admin)   # an admin",
        '  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/v1/me',
        "The admin dashboard is at http://127.0.0.1:8000/admin (paste an admin token), the API "
        "reference at http://127.0.0.1:8000/docs.",
    ]
    return "\n".join(lines)


def _run_or_exit(coroutine: object) -> None:
    """Run a command's coroutine; an unreachable Neo4j is reported by app/cli/errors.py."""
    asyncio.run(coroutine)  # type: ignore[arg-type]
