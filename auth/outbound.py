"""Policy for URLs this service calls (partner JWKS, webhooks): https only, loopback http in development."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class OutboundUrlError(ValueError):
    """A URL this service would call is not acceptable."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_outbound_url(url: str, *, allow_loopback_http: bool) -> None:
    """Accept `https://host/…`; accept `http://` only for loopback hosts when allowed (development)."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise OutboundUrlError("URLs with credentials are not accepted.")
    if parts.scheme == "https" and parts.hostname:
        return
    if (
        parts.scheme == "http"
        and parts.hostname
        and allow_loopback_http
        and is_loopback(parts.hostname)
    ):
        return
    raise OutboundUrlError(f"{url!r} is not an https URL.")
