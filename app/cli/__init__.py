"""The `rolodex` command line: one Typer app, one module per command group."""

from __future__ import annotations

import typer

from app.cli import auth, database, local_neo4j, preferences, seed, service, verify, wallet

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="Rolodex operator commands.")
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


def main() -> None:
    cli()
