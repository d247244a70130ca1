"""Tokens from an external identity provider: verified against its JWKS, fetched over real HTTP and cached."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from auth import jws
from auth.authenticator import Authenticator, ExternalIdentityProvider
from auth.errors import InvalidTokenError
from auth.jwks_client import JwksCache, JwksFetchError, check_jwks_url
from auth.keys import KeyRing, new_key
from auth.outbound import OutboundClient, OutboundPolicy
from auth.principals import Role

AUDIENCE = "https://rolodex.test"


class JwksServer:
    """A real HTTP server on loopback that serves a JWKS and counts requests."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests += 1
                body = json.dumps({"keys": [k.public_jwk() for k in server.ring.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def idp() -> Iterator[JwksServer]:
    key = new_key("idp", datetime.now(UTC))
    server = JwksServer(KeyRing(name="idp", keys=[key], active_kid=key.kid))
    yield server
    server.close()


def _external_token(ring: KeyRing, issuer: str, role: str = "mentee") -> str:
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": issuer,
        "sub": "ext-person",
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "jti": "e1",
        "role": role,
    }
    return jws.sign(claims, ring.active, "at+jwt")


def _authenticator(idp: JwksServer, http_client: OutboundClient) -> Authenticator:
    own = new_key("access", datetime.now(UTC))
    return Authenticator(
        KeyRing(name="access", keys=[own], active_kid=own.kid),
        issuer=AUDIENCE,
        audience=AUDIENCE,
        external=ExternalIdentityProvider(
            issuer="https://idp.test", jwks_url=idp.url, audience=AUDIENCE
        ),
        jwks_cache=JwksCache(http_client, min_refresh_interval_seconds=0),
    )


@contextlib.asynccontextmanager
async def _outbound() -> AsyncIterator[OutboundClient]:
    client = OutboundClient(OutboundPolicy(allow_loopback=True))
    try:
        yield client
    finally:
        await client.aclose()


async def test_external_token_is_accepted_and_the_jwks_cached(idp: JwksServer) -> None:
    async with _outbound() as http_client:
        authenticator = _authenticator(idp, http_client)
        for _ in range(3):
            principal = await authenticator.authenticate(
                _external_token(idp.ring, "https://idp.test")
            )
            assert principal.subject == "ext-person"
            assert principal.role is Role.MENTEE
    assert idp.requests == 1


async def test_unknown_kid_refreshes_once_then_refuses(idp: JwksServer) -> None:
    async with _outbound() as http_client:
        authenticator = _authenticator(idp, http_client)
        await authenticator.authenticate(_external_token(idp.ring, "https://idp.test"))
        stranger = new_key("idp", datetime.now(UTC))
        token = _external_token(
            KeyRing(name="idp", keys=[stranger], active_kid=stranger.kid), "https://idp.test"
        )
        with pytest.raises(InvalidTokenError) as refused:
            await authenticator.authenticate(token)
    assert refused.value.code == "key-not-found"
    assert idp.requests == 2


async def test_a_rotated_idp_key_is_found_after_one_refresh(idp: JwksServer) -> None:
    async with _outbound() as http_client:
        authenticator = _authenticator(idp, http_client)
        await authenticator.authenticate(_external_token(idp.ring, "https://idp.test"))
        idp.ring.rotate(datetime.now(UTC), timedelta(hours=1))
        principal = await authenticator.authenticate(_external_token(idp.ring, "https://idp.test"))
    assert principal.subject == "ext-person"
    assert idp.requests == 2


async def test_an_external_idp_cannot_mint_partners(idp: JwksServer) -> None:
    async with _outbound() as http_client:
        authenticator = _authenticator(idp, http_client)
        with pytest.raises(InvalidTokenError) as refused:
            await authenticator.authenticate(
                _external_token(idp.ring, "https://idp.test", role="partner")
            )
    assert refused.value.code == "claims-invalid"


def test_jwks_urls_must_be_https_except_loopback_in_development() -> None:
    check_jwks_url("https://idp.example/jwks.json", allow_loopback_http=False)
    check_jwks_url("http://127.0.0.1:9/jwks.json", allow_loopback_http=True)
    for url in (
        "http://127.0.0.1:9/jwks.json",
        "http://idp.example/jwks.json",
        "file:///etc/passwd",
    ):
        with pytest.raises(JwksFetchError):
            check_jwks_url(url, allow_loopback_http=False)
    with pytest.raises(JwksFetchError):
        check_jwks_url("http://idp.example/jwks.json", allow_loopback_http=True)
