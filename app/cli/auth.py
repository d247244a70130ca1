"""`rolodex keys rotate`, `rolodex clients create`, `rolodex tokens issue`: keys and credentials."""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import typer

from app.cli.database import open_graph
from app.cli.errors import fail
from app.security_setup import build_keystore
from app.settings import Settings
from auth.keys import RING_NAMES
from auth.principals import PARTNER_SCOPES, Role
from auth.secrets import hash_secret, new_client_secret
from auth.tokens import issue_access_token
from graph.clients import create_client
from graph.db import Graph
from graph.pagination import PageRequest
from graph.people import list_people

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
            fail(f"the {name} ring comes from an environment PEM; rotate it at its source")
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


class TokenRole(StrEnum):
    """The roles a development token can carry (partners get theirs from POST /oauth/token)."""

    MENTEE = "mentee"
    MENTOR = "mentor"
    ADMIN = "admin"


@dataclass(frozen=True)
class FoundPerson:
    id: str
    display_name: str
    roles: tuple[str, ...]


async def find_person(graph: Graph, name: str) -> FoundPerson:
    """The one person whose display name contains `name` (case-insensitive); an exact match of
    the whole name wins over partial ones. None, or several, is an error naming the candidates."""
    rows = await list_people(graph, PageRequest(limit=MAX_CANDIDATES + 1, after=None), name=name)
    found = [
        FoundPerson(row["id"], row.get("display_name") or "", tuple(row.get("roles") or ()))
        for row in rows.items
    ]
    exact = [person for person in found if person.display_name.casefold() == name.casefold()]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        fail(f"no person's name contains {name!r}; `rolodex demo` lists the demo people")
    shown = ", ".join(f"{p.display_name} ({p.id})" for p in found[:MAX_CANDIDATES])
    more = " and more" if len(found) > MAX_CANDIDATES else ""
    fail(f"{name!r} matches several people: {shown}{more}; pass --subject ID or a longer name")


MAX_CANDIDATES = 10


def _role_of(person: FoundPerson, role: TokenRole | None) -> TokenRole:
    if role is not None:
        return role
    roles = [r for r in person.roles if r in (TokenRole.MENTEE, TokenRole.MENTOR)]
    if len(roles) != 1:
        fail(
            f"{person.display_name} ({person.id}) has roles {', '.join(person.roles) or 'none'}; "
            "pass --role mentee or --role mentor"
        )
    return TokenRole(roles[0])


@tokens_cli.command("issue")
def issue(
    subject: Annotated[
        str | None, typer.Option(help="Person id (mentee/mentor) or admin id.")
    ] = None,
    person: Annotated[
        str | None,
        typer.Option(
            help="Find the subject by name instead (part of the display name, e.g. 'Ava'); "
            "the role defaults to the person's own."
        ),
    ] = None,
    role: Annotated[
        TokenRole | None,
        typer.Option(help="mentee, mentor or admin (with --person: default the person's role)."),
    ] = None,
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
    """Print an access token (development and tests only; refused in production).

    `--subject ID --role ROLE`, or `--person NAME` to look the person up in the graph."""
    settings = Settings()
    if not settings.is_development:
        fail("tokens issue is refused when ROLODEX_ENVIRONMENT=production")
    if ttl > settings.access_token_max_ttl_seconds:
        fail(
            f"--ttl: at most {settings.access_token_max_ttl_seconds} seconds "
            "(ROLODEX_ACCESS_TOKEN_MAX_TTL_SECONDS); the API refuses longer-lived tokens"
        )
    if (subject is None) == (person is None):
        fail("pass either --subject ID (with --role) or --person NAME")
    if person is not None:

        async def lookup() -> FoundPerson:
            graph = await open_graph(settings)
            try:
                return await find_person(graph, person)
            finally:
                await graph.close()

        found = asyncio.run(lookup())
        subject, chosen = found.id, _role_of(found, role)
    elif role is None:
        fail("--role is required with --subject (mentee, mentor or admin)")
    else:
        chosen = role
    assert subject is not None
    keystore = build_keystore(settings)
    token = issue_access_token(
        keystore.access,
        issuer=settings.public_url,
        audience=settings.access_token_audience,
        subject=subject,
        role=Role(chosen.value),
        ttl=timedelta(seconds=ttl),
        programs=programs.split() if chosen is TokenRole.ADMIN else (),
    )
    typer.echo(token)
