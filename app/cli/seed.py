"""`rolodex seed`: load a synthetic, deterministic mentorship network (app/cli/first_load.py).

The network (graph/synthetic.py) is the same for the same options; loading it again into the
same database changes nothing (every item is merged on its id). Refused in production.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.cli.errors import fail
from app.cli.first_load import BatchSizeOption, OfflineImportOption, first_load
from app.settings import Settings
from graph.bulk import DEFAULT_BATCH_SIZE
from graph.synthetic import Spec, generate, week_start

console = Console(stderr=True)


def _until(value: str | None) -> datetime:
    if value is None:
        return week_start(datetime.now(UTC))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter("use an ISO 8601 date or time, e.g. 2026-11-23") from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def register(cli: typer.Typer) -> None:
    @cli.command("seed")
    def seed(
        people: Annotated[int, typer.Option(min=1, help="How many people.")] = 1000,
        avg_contacts: Annotated[
            float, typer.Option(min=0, help="Mean rolodex contacts per person.")
        ] = 10.0,
        programs: Annotated[int, typer.Option(min=1, help="Programs (2-4 cohorts each).")] = 5,
        weeks: Annotated[int, typer.Option(min=1, help="Weeks of activity to simulate.")] = 26,
        seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same graph.")] = 1,
        until: Annotated[
            str | None,
            typer.Option(help="End of the simulated time line (UTC); default this week's Monday."),
        ] = None,
        batch_size: BatchSizeOption = DEFAULT_BATCH_SIZE,
        offline_import: OfflineImportOption = True,
    ) -> None:
        """Generate a realistic network and load it (offline import into an empty local Neo4j,
        else UNWIND batches); print a JSON summary naming the path taken."""
        settings = Settings()
        if settings.environment == "production":
            fail("seeding synthetic data is refused in production")
        spec = Spec(
            people=people,
            avg_contacts=avg_contacts,
            programs=programs,
            weeks=weeks,
            seed=seed,
            until=_until(until),
        )
        started = time.perf_counter()
        with console.status("generating the network…"):
            network = generate(spec)
        generated = time.perf_counter() - started

        async def run() -> dict[str, object]:
            with Progress(
                TextColumn("[bold]{task.description:<13}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                tasks = {
                    kind.name: bar.add_task(kind.name, total=len(rows))
                    for kind, rows in network.parts()
                }
                report = await first_load(
                    settings,
                    network.parts(),
                    batch_size=batch_size,
                    progress=lambda name, rows: bar.advance(tasks[name], rows),
                    allow_import=offline_import,
                )
            console.print(f"loaded by the {report.path}: {report.reason}")
            return {
                "seed": seed,
                "until": spec.until.isoformat(),
                "rows": network.rows,
                "generate_seconds": round(generated, 3),
            } | report.summary()

        summary = asyncio.run(run())
        typer.echo(json.dumps(summary))
