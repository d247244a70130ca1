"""`rolodex verify FILE [--jwks URL|FILE] [--audience AUD] [--check-status/--no-check-status]`.

Runs the one bundle verifier (`portability.verify.verify_bundle`, the same code the importer
runs): header, key by kid, signature, claims, the consent receipt (signed by the same issuer,
same `sub` and `aud`, unexpired, scopes covering every section, status URL on the issuer's host)
and the body schema. The receipt's status URL is asked too with `--check-status` (it needs the
issuer to be reachable); without it the summary says `"consent_status": "not checked"`.

Exit 0 with a JSON summary (issuer, subject, audience, scopes, item counts, expiry, consent
status) when every check passes; exit 1 with `error: <problem>: <reason>` otherwise; exit 2 when
the inputs cannot be read. Without `--jwks` the issuer's `/.well-known/jwks.json` is fetched over
https; in development (any `ROLODEX_ENVIRONMENT` but `production`) http on a loopback host is
accepted too, so `rolodex verify FILE` works against the local instance (`--allow-http-loopback`
forces it, `--no-allow-http-loopback` refuses it).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from pydantic import ValidationError

from app.settings import Settings
from auth.jwks_client import MAX_JWKS_BYTES, JwksFetchError, check_jwks_url, parse_jwks
from auth.outbound import OutboundClient, OutboundPolicy
from portability.errors import PortabilityError
from portability.verify import HttpStatus, VerifiedBundle, keys_from, peek_claims, verify_bundle


def _load_jwks(source: str, allow_loopback_http: bool) -> dict[str, dict[str, Any]]:
    if source.startswith(("https://", "http://")):
        check_jwks_url(source, allow_loopback_http=allow_loopback_http)
        response = httpx.get(source, timeout=10.0, follow_redirects=False)
        response.raise_for_status()
        if len(response.content) > MAX_JWKS_BYTES:
            raise JwksFetchError(f"JWKS at {source} is larger than {MAX_JWKS_BYTES} bytes")
        return parse_jwks(response.content)
    return parse_jwks(Path(source).read_bytes())


async def _verify(
    token: str,
    keys: dict[str, dict[str, Any]],
    audience: str | None,
    check_status: bool,
    allow_loopback_http: bool,
) -> VerifiedBundle:
    http = OutboundClient(OutboundPolicy(allow_loopback=allow_loopback_http, deadline_seconds=10.0))
    try:
        return await verify_bundle(
            token,
            keys_from(keys),
            now=datetime.now(UTC),
            audiences={audience} if audience else None,
            status_of=HttpStatus(http) if check_status else None,
        )
    finally:
        await http.aclose()


def loopback_http_by_default() -> bool:
    """Development accepts http JWKS URLs on loopback hosts; production (or settings that do
    not load, which is never taken as development) keeps https only."""
    try:
        return Settings().is_development
    except ValidationError:
        return False


def register(cli: typer.Typer) -> None:
    @cli.command("verify")
    def verify(
        file: Annotated[
            Path, typer.Argument(exists=True, dir_okay=False, help="The bundle (compact JWS) file.")
        ],
        jwks: Annotated[
            str | None,
            typer.Option(help="JWKS file or URL; default: the issuer's /.well-known/jwks.json."),
        ] = None,
        audience: Annotated[
            str | None, typer.Option(help="Require this audience (your platform id, or self).")
        ] = None,
        check_status: Annotated[
            bool,
            typer.Option(help="Also GET the consent status URL and require `active`."),
        ] = False,
        allow_http_loopback: Annotated[
            bool | None,
            typer.Option(
                help="Allow http:// JWKS and status URLs on loopback hosts "
                "(default: yes in development, no in production)."
            ),
        ] = None,
    ) -> None:
        """Verify a bundle: header, key by kid, signature, claims, consent receipt, schema."""
        if allow_http_loopback is None:
            allow_http_loopback = loopback_http_by_default()
        token = file.read_text().strip()
        try:
            source = (
                jwks
                or f"{str(peek_claims(token).get('iss', '')).rstrip('/')}/.well-known/jwks.json"
            )
            keys = _load_jwks(source, allow_http_loopback)
        except PortabilityError as error:
            typer.echo(f"error: {error.slug}: {error.detail}", err=True)
            raise typer.Exit(1) from error
        except (OSError, JwksFetchError, httpx.HTTPError) as error:
            typer.echo(f"error: cannot load the JWKS: {error}", err=True)
            raise typer.Exit(2) from error
        try:
            verified = asyncio.run(
                _verify(token, keys, audience, check_status, allow_http_loopback)
            )
        except PortabilityError as error:
            typer.echo(f"error: {error.slug}: {error.detail}", err=True)
            raise typer.Exit(1) from error
        typer.echo(json.dumps(verified.summary(), indent=2))
