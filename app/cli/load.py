"""`rolodex load FOLDER`: an operator's first load from CSV files (layout: graph/load_files.py).

Takes the fastest path the target allows (app/cli/first_load.py): `neo4j-admin database import`
into the empty local Neo4j that `rolodex neo4j` manages, else the driver's bulk path; says which.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.cli.errors import fail
from app.cli.first_load import BatchSizeOption, OfflineImportOption, first_load
from app.settings import Settings
from graph.bulk import DEFAULT_BATCH_SIZE
from graph.load_files import LoadFileError, read_folder

console = Console(stderr=True)


def register(cli: typer.Typer) -> None:
    @cli.command("load")
    def load_command(
        folder: Annotated[Path, typer.Argument(help="Folder of load files (people.csv, …).")],
        batch_size: BatchSizeOption = DEFAULT_BATCH_SIZE,
        offline_import: OfflineImportOption = True,
    ) -> None:
        """Load programs, people, contacts, mentorships, … from CSV files; print a JSON summary
        naming the path taken."""
        settings = Settings()
        try:
            with console.status("reading the load files…"):
                parts = read_folder(folder)
        except (LoadFileError, OSError) as error:
            fail(str(error))
        try:
            report = asyncio.run(
                first_load(settings, parts, batch_size=batch_size, allow_import=offline_import)
            )
        except ValueError as error:  # a row graph/bulk.py refuses (nothing written)
            fail(str(error))
        console.print(f"loaded by the {report.path}: {report.reason}")
        typer.echo(json.dumps({"rows": sum(len(rows) for _, rows in parts)} | report.summary()))
