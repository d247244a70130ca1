"""`rolodex keys rotate`, `rolodex clients create`, `rolodex tokens issue`: keys and credentials."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from app.cli.database import open_graph
from app.security_setup import build_keystore
from app.settings import Settings
from auth.keys import RING_NAMES
from auth.principals import PARTNER_SCOPES, Role
from auth.secrets import hash_secret, new_client_secret
from auth.tokens import issue_access_token
from graph.clients import create_client

keys_cli = typer.Typer(no_args_is_help=True, help="Signing keys (ES256) and their rotation.")
clients_cli = typer.Typer(no_args_is_help=True, help="Partner platform OAuth clients.")
tokens_cli = typer.Typer(
    no_args_is_help=True, help="Access tokens for local development and tests."
)


@keys_cli.command("rotate")
def rotate(
    ring: Annotated[str, typer.Option(help="Which ring: access, documents or all.")] = "all",
    grace_seconds: Annotated[
        int | None,
        typer.Option(help="How long the old public key stays published (default: settings)."),
    ] = None,
) -> None:
    """Add a new active key; the old public key stays published until the grace period ends."""
    settings = Settings()
    names = RING_NAMES if ring == "all" else (ring,)
    if any(name not in RING_NAMES for name in names):
        raise typer.BadParameter(f"ring must be one of: all, {', '.join(RING_NAMES)}")
    keystore = build_keystore(settings)
    grace = timedelta(
        seconds=settings.key_rotation_grace_seconds if grace_seconds is None else grace_seconds
    )
    now = datetime.now(UTC)
    for name in names:
        key_ring = getattr(keystore, name)
        if key_ring.directory is None:
            typer.echo(
                f"error: the {name} ring comes from an environment PEM; rotate it at its source",
                err=True,
            )
            raise typer.Exit(1)
        old = key_ring.active_kid
        fresh = key_ring.rotate(now, grace)
        typer.echo(
            json.dumps(
                {
                    "ring": name,
                    "active": fresh.kid,
                    "retiring": old,
                    "retire_at": (now + grace).isoformat(),
                }
            )
        )


@clients_cli.command("create")
def create(
    platform_id: Annotated[str, typer.Option(help="The partner platform this client acts for.")],
    name: Annotated[str, typer.Option(help="A human-readable client name.")],
    scopes: Annotated[str, typer.Option(help="Space-separated scopes.")] = "bundles:read",
) -> None:
    """Create a client and print its id and secret once, as JSON (the secret is stored hashed)."""
    requested = scopes.split()
    unknown = sorted(set(requested) - PARTNER_SCOPES)
    if not requested or unknown:
        raise typer.BadParameter(
            f"unknown scopes {unknown}; choose from {' '.join(sorted(PARTNER_SCOPES))}"
        )
    client_id = f"client_{secrets.token_urlsafe(12)}"
    client_secret = new_client_secret()

    async def run() -> None:
        graph = await open_graph(Settings())
        try:
            await create_client(
                graph,
                client_id=client_id,
                platform_id=platform_id,
                name=name,
                scopes=requested,
                secret_hash=hash_secret(client_secret),
            )
        finally:
            await graph.close()

    asyncio.run(run())
    typer.echo(json.dumps({"client_id": client_id, "client_secret": client_secret}))


@tokens_cli.command("issue")
def issue(
    subject: Annotated[str, typer.Option(help="Person id (mentee/mentor) or admin id.")],
    role: Annotated[Role, typer.Option(help="mentee, mentor or admin.")],
    ttl: Annotated[
        int,
        typer.Option(
            help="Lifetime in seconds (at most ROLODEX_ACCESS_TOKEN_MAX_TTL_SECONDS, default 3600).",
            min=60,
        ),
    ] = 3600,
    programs: Annotated[
        str, typer.Option(help="Admins: space-separated program ids, or '*' for all.")
    ] = "*",
) -> None:
    """Print an access token (development and tests only; refused in production)."""
    settings = Settings()
    if not settings.is_development:
        typer.echo("error: tokens issue is refused when ROLODEX_ENVIRONMENT=production", err=True)
        raise typer.Exit(2)
    if role is Role.PARTNER:
        raise typer.BadParameter("partner tokens come from POST /oauth/token (client credentials)")
    if ttl > settings.access_token_max_ttl_seconds:
        raise typer.BadParameter(
            f"at most {settings.access_token_max_ttl_seconds} seconds "
            "(ROLODEX_ACCESS_TOKEN_MAX_TTL_SECONDS); the API refuses longer-lived tokens",
            param_hint="--ttl",
        )
    keystore = build_keystore(settings)
    token = issue_access_token(
        keystore.access,
        issuer=settings.public_url,
        audience=settings.access_token_audience,
        subject=subject,
        role=role,
        ttl=timedelta(seconds=ttl),
        programs=programs.split() if role is Role.ADMIN else (),
    )
    typer.echo(token)
