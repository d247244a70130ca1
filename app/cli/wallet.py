"""`rolodex wallet keygen|receive|list|present`: the holder side of SD-JWT VC credentials.

Keys and credentials stay in a local file (mode 0600; `--wallet` or `ROLODEX_WALLET`, default
`~/.rolodex/wallet.json`). See docs/credentials.md for the whole flow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from credentials.sdjwt import SdJwtError
from credentials.wallet import Wallet, WalletError, default_path

cli = typer.Typer(no_args_is_help=True, help="A small holder wallet for Rolodex credentials.")

WalletOption = Annotated[
    Path | None,
    typer.Option(
        "--wallet", help="Wallet file; default $ROLODEX_WALLET or ~/.rolodex/wallet.json."
    ),
]


def _open(path: Path | None) -> Wallet:
    return Wallet.open(path or default_path())


@cli.command("keygen")
def keygen(wallet: WalletOption = None) -> None:
    """Create a holder key; print its public JWK (send it as `holder_jwk`)."""
    typer.echo(json.dumps(_open(wallet).keygen()))


@cli.command("receive")
def receive(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="The issued credential.")
    ],
    wallet: WalletOption = None,
) -> None:
    """Keep a credential (the JSON answer of POST /v1/me/credentials, or the bare SD-JWT)."""
    try:
        credential_id = _open(wallet).receive(file.read_text())
    except (WalletError, SdJwtError, ValueError, KeyError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(credential_id)


@cli.command("list")
def list_(
    credential: Annotated[
        str | None, typer.Option(help="Show this credential's disclosable paths.")
    ] = None,
    wallet: WalletOption = None,
) -> None:
    """The credentials held, or the disclosable paths of one."""
    held = _open(wallet)
    try:
        lines = held.paths(credential) if credential else list(held.credentials)
    except WalletError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo("\n".join(lines))


@cli.command("present")
def present(
    credential: Annotated[str, typer.Option(help="The credential id (see `wallet list`).")],
    disclose: Annotated[
        str,
        typer.Option(help='Paths to disclose, space-separated: "contacts[3] profile.headline".'),
    ],
    aud: Annotated[str, typer.Option(help="The verifier's aud (from POST /v1/imports/nonce).")],
    nonce: Annotated[str, typer.Option(help="The verifier's nonce.")],
    wallet: WalletOption = None,
) -> None:
    """Print the SD-JWT+KB presenting only the chosen items."""
    try:
        typer.echo(_open(wallet).present(credential, disclose.split(), aud=aud, nonce=nonce))
    except (WalletError, SdJwtError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
