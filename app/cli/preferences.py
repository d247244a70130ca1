"""`rolodex preferences migrate|rollback`: move legacy opt-in flags to preference schema v2, safely."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.database import open_graph
from app.cli.errors import fail
from app.preferences import migration
from app.settings import Settings

cli = typer.Typer(
    no_args_is_help=True, help="Preference migrations (dry run first; never widens sharing)."
)


def _with_graph(work: Any) -> Any:
    async def run() -> Any:
        graph = await open_graph(Settings())
        try:
            return await work(graph)
        finally:
            await graph.close()

    return asyncio.run(run())


@cli.command("migrate")
def migrate(
    source: Annotated[
        Path,
        typer.Option("--from", exists=True, dir_okay=False, help="Legacy flags file (JSON list)."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
) -> None:
    """Print the migration report as JSON (counts per outcome, per-person diffs)."""
    raw = source.read_bytes()
    try:
        report = _with_graph(lambda graph: migration.migrate(graph, raw, dry_run=dry_run))
    except migration.LegacyFileError as error:
        fail(f"{source}: {error}")
    typer.echo(json.dumps(report, indent=2, sort_keys=True, default=str))


@cli.command("rollback")
def rollback(
    migration_id: Annotated[str, typer.Option("--migration", help="The migration id to undo.")],
) -> None:
    """Restore every person a migration changed to their exact previous preferences.

    Prints `{"migration_id", "status": "rolled-back", "restored": N}`; rolling back the same
    migration again restores nothing and answers `"status": "already-rolled-back"` with the time
    of the first rollback (also said on stderr). An unknown id is an error (exit 2)."""
    done = _with_graph(lambda graph: migration.rollback(graph, migration_id))
    if done.already_rolled_back_at is not None:
        when = done.already_rolled_back_at.isoformat()
        typer.echo(
            f"note: migration {migration_id} was already rolled back at {when}; nothing restored",
            err=True,
        )
        typer.echo(
            json.dumps(
                {
                    "migration_id": migration_id,
                    "status": "already-rolled-back",
                    "rolled_back_at": when,
                    "restored": 0,
                }
            )
        )
        return
    typer.echo(
        json.dumps(
            {"migration_id": migration_id, "status": "rolled-back", "restored": done.restored}
        )
    )
