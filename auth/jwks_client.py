"""Fetch and cache other parties' JWKS through the outbound policy (auth/outbound.py).

The policy gives the total deadline, the address rules and no redirects; this module adds a
size cap on the answer, a TTL cache, and at most one refresh when a `kid` is unknown (so a flood
of tokens with random kids cannot make us hammer the issuer).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from auth import untrusted_json
from auth.outbound import OutboundClient, OutboundError, OutboundUrlError, check_outbound_url

MAX_JWKS_BYTES = 64 * 1024
DEFAULT_TTL_SECONDS = 300.0
MIN_REFRESH_INTERVAL_SECONDS = 10.0


class JwksFetchError(Exception):
    """The JWKS could not be fetched or is not a JWKS."""


def check_jwks_url(url: str, *, allow_loopback_http: bool) -> None:
    try:
        check_outbound_url(url, allow_loopback_http=allow_loopback_http)
    except OutboundUrlError as error:
        hint = "" if allow_loopback_http else " (http only on a loopback host, in development)"
        raise JwksFetchError(f"JWKS URL must use https{hint} (got {url!r}).") from error


@dataclass
class _Entry:
    keys: dict[str, dict[str, Any]]
    fetched_at: float


class JwksCache:
    def __init__(
        self,
        client: OutboundClient,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        min_refresh_interval_seconds: float = MIN_REFRESH_INTERVAL_SECONDS,
    ) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._min_refresh = min_refresh_interval_seconds
        self._entries: dict[str, _Entry] = {}

    async def find(self, url: str, kid: str) -> dict[str, Any] | None:
        """The key with `kid` from the JWKS at `url`; refreshes at most once if the kid is unknown."""
        now = time.monotonic()
        entry = self._entries.get(url)
        fetched = False
        if entry is None or now - entry.fetched_at > self._ttl:
            entry, fetched = await self._fetch(url), True
        if kid in entry.keys:
            return entry.keys[kid]
        if not fetched and now - entry.fetched_at >= self._min_refresh:
            entry = await self._fetch(url)
        return entry.keys.get(kid)

    def forget(self, url: str) -> None:
        self._entries.pop(url, None)

    async def _fetch(self, url: str) -> _Entry:
        try:
            response = await self._client.get(url, max_bytes=MAX_JWKS_BYTES)
        except OutboundError as error:
            raise JwksFetchError(f"JWKS at {url} could not be fetched: {error.detail}") from error
        if response.status_code != 200:
            raise JwksFetchError(f"JWKS at {url} answered {response.status_code}.")
        entry = _Entry(keys=parse_jwks(response.content), fetched_at=time.monotonic())
        self._entries[url] = entry
        return entry


def parse_jwks(raw: bytes | str | dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Public EC P-256 signing keys of a JWKS by kid; private members are dropped."""
    try:
        document = untrusted_json.loads(raw) if isinstance(raw, bytes | str) else raw
    except untrusted_json.UntrustedJsonError as error:
        raise JwksFetchError("The JWKS is not JSON.") from error
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise JwksFetchError("The JWKS has no 'keys' list.")
    usable: dict[str, dict[str, Any]] = {}
    for key in keys:
        if not isinstance(key, dict) or not isinstance(key.get("kid"), str):
            continue
        if key.get("kty") != "EC" or key.get("crv") != "P-256" or key.get("use", "sig") != "sig":
            continue
        usable[key["kid"]] = {
            name: key[name] for name in ("kty", "crv", "x", "y", "kid") if name in key
        }
    return usable
