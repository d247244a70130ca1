"""The `rolodex` command line: one Typer app, one module per command group.

Every error of every command is one line `error: …` on stderr with exit status 2
(`app/cli/errors.py`).
"""

from __future__ import annotations

import typer

from app.cli import (
    auth,
    database,
    load,
    local_neo4j,
    preferences,
    seed,
    service,
    verify,
    wallet,
)
from app.cli.errors import ReportingGroup

cli = typer.Typer(
    cls=ReportingGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Rolodex operator commands.",
)


cli.add_typer(local_neo4j.cli, name="neo4j")
cli.add_typer(auth.keys_cli, name="keys")
cli.add_typer(auth.clients_cli, name="clients")
cli.add_typer(auth.tokens_cli, name="tokens")
cli.add_typer(preferences.cli, name="preferences")
cli.add_typer(wallet.cli, name="wallet")
service.register(cli)
verify.register(cli)
database.register(cli)
seed.register(cli)
load.register(cli)


def main() -> None:
    cli()
