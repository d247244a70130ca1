"""The one policy for every call this service makes to others: partner JWKS, consent status
endpoints, webhooks and the external identity provider's JWKS.

URLs (checked when a platform is registered and again before each call): absolute, with a host,
no credentials, `https` — `http` only to a loopback host when loopback is allowed (development).
A host given as an IP literal must be a public address.

Calls (`OutboundClient`): one total deadline for DNS, connect, TLS, sending and reading the whole
answer (not per read, so a partner trickling bytes cannot hold a request); the answer read as a
stream and cut at a byte cap; redirects never followed; no proxy taken from the environment. The
host name is resolved by us, every address it resolves to must be public (not loopback, private,
link-local — cloud metadata included —, unique-local, multicast, reserved or unspecified; an
IPv4-mapped IPv6 address is judged as the IPv4 address), the connection is made to the checked
address, and the connected peer address is checked again. Loopback is allowed only when the
policy says so (development and tests); hosts named in `allowed_hosts` (a setting) are exempt from
the address rules, for partners deliberately reached on a private network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpcore
import httpx

from auth import untrusted_json

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

DEFAULT_DEADLINE_SECONDS = 5.0
DEFAULT_MAX_BYTES = 64 * 1024


class OutboundUrlError(ValueError):
    """A URL this service would call is not acceptable."""


class OutboundError(Exception):
    """An outbound call failed. `reason` is stable: `url-refused`, `address-refused`, `deadline`,
    `too-large` or `transport`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _AddressRefused(httpcore.ConnectError):
    """Raised inside the connection pool; surfaces as `OutboundError('address-refused')`."""


def address_problem(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why calls to `address` are refused, or None when it is a public (or allowed) address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives here)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified or address.is_reserved:
        return "an unspecified or reserved address"
    if address.is_private:
        return "a private or unique-local address"
    if not address.is_global:
        return "not a public address"
    return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    address = _literal(host)
    return address is not None and address.is_loopback


@dataclass(frozen=True)
class OutboundPolicy:
    """Where this service may call, and how long and how much it reads."""

    allow_loopback: bool = False
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS

    def is_allowed_host(self, host: str) -> bool:
        return host.lower().strip("[]") in self.allowed_hosts

    def check_url(self, url: str) -> SplitResult:
        """The parts of `url` if this service may call it; `OutboundUrlError` otherwise."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError as error:
            raise OutboundUrlError(f"{url!r} is not a URL ({error}).") from error
        if not host:
            raise OutboundUrlError(f"{url!r} is not an absolute URL with a host.")
        if parts.username is not None or parts.password is not None:
            raise OutboundUrlError("URLs with credentials are not accepted.")
        loopback = is_loopback(host)
        if parts.scheme == "http" and not (loopback and self.allow_loopback):
            raise OutboundUrlError(f"{url!r} is not an https URL.")
        if parts.scheme not in ("https", "http"):
            raise OutboundUrlError(f"{url!r} is not an https URL.")
        if self.is_allowed_host(host):
            return parts
        if loopback and not self.allow_loopback:
            raise OutboundUrlError(f"{url!r} points at a loopback address.")
        address = _literal(host)
        if address is not None:
            problem = address_problem(address, allow_loopback=self.allow_loopback)
            if problem:
                raise OutboundUrlError(f"{url!r} points at {problem}.")
        return parts

    def check_address(self, host: str, address: str) -> None:
        """Raise `_AddressRefused` unless `address` (resolved for `host`) may be called."""
        if self.is_allowed_host(host):
            return
        parsed = _literal(address)
        problem = (
            "not an IP address"
            if parsed is None
            else address_problem(parsed, allow_loopback=self.allow_loopback)
        )
        if problem:
            raise _AddressRefused(f"{host} resolves to {address}, {problem}.")


def check_outbound_url(url: str, *, allow_loopback_http: bool) -> None:
    """`OutboundPolicy(allow_loopback=…).check_url(url)`, for callers without a policy at hand."""
    OutboundPolicy(allow_loopback=allow_loopback_http).check_url(url)


async def _system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, checks every address, connects to a checked one, and checks the
    peer address of the connection it got."""

    def __init__(self, policy: OutboundPolicy, resolve: Resolver) -> None:
        self._policy = policy
        self._resolve = resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = _literal(host)
        try:
            addresses = [str(literal)] if literal is not None else await self._resolve(host, port)
        except OSError as error:
            raise httpcore.ConnectError(f"{host} does not resolve: {error}") from error
        if not addresses:
            raise httpcore.ConnectError(f"{host} does not resolve.")
        for address in addresses:
            self._policy.check_address(host, address)
        stream = await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )
        peer = stream.get_extra_info("server_addr")
        try:
            self._policy.check_address(host, str(peer[0]) if peer else "")
        except _AddressRefused:
            await stream.aclose()
            raise
        return stream

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("Unix sockets are not an outbound destination.")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, policy: OutboundPolicy, resolve: Resolver, verify: ssl.SSLContext) -> None:
        super().__init__(verify=verify, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=verify, network_backend=_GuardedBackend(policy, resolve)
        )


@dataclass(frozen=True)
class OutboundResponse:
    status_code: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        """The body through the untrusted-JSON parser (`UntrustedJsonError`, a ValueError)."""
        return untrusted_json.loads(self.content)


class OutboundClient:
    """Every outbound HTTP call goes through here, under one `OutboundPolicy`."""

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        resolve: Resolver = _system_resolver,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy
        self._client = httpx.AsyncClient(
            transport=_GuardedTransport(policy, resolve, verify or ssl.create_default_context()),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(policy.deadline_seconds),
        )

    async def get(
        self,
        url: str,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        headers: Mapping[str, str] | None = None,
        deadline_seconds: float | None = None,
    ) -> OutboundResponse:
        return await self.request(
            "GET", url, max_bytes=max_bytes, headers=headers, deadline_seconds=deadline_seconds
        )

    async def post(
        self,
        url: str,
        *,
        content: bytes | str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        headers: Mapping[str, str] | None = None,
        deadline_seconds: float | None = None,
    ) -> OutboundResponse:
        return await self.request(
            "POST",
            url,
            content=content,
            max_bytes=max_bytes,
            headers=headers,
            deadline_seconds=deadline_seconds,
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        max_bytes: int,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        deadline_seconds: float | None = None,
    ) -> OutboundResponse:
        """One call under the policy; `OutboundError` on any refusal or failure. The deadline is
        the policy's unless the caller gives its own (webhooks have their own setting)."""
        deadline = deadline_seconds or self.policy.deadline_seconds
        try:
            self.policy.check_url(url)
        except OutboundUrlError as error:
            raise OutboundError("url-refused", str(error)) from error
        try:
            async with asyncio.timeout(deadline):
                return await self._exchange(method, url, max_bytes, content, headers)
        except TimeoutError as error:
            raise OutboundError("deadline", f"{url} did not answer within {deadline} s.") from error
        except httpx.HTTPError as error:
            if isinstance(error.__cause__, _AddressRefused):
                raise OutboundError("address-refused", str(error.__cause__)) from error
            raise OutboundError(
                "transport", f"{url} could not be reached: {type(error).__name__}."
            ) from error

    async def _exchange(
        self,
        method: str,
        url: str,
        max_bytes: int,
        content: bytes | str | None,
        headers: Mapping[str, str] | None,
    ) -> OutboundResponse:
        # identity: a compressed answer could inflate far past the cap within a single chunk
        sent = {"Accept-Encoding": "identity", **dict(headers or {})}
        async with self._client.stream(method, url, content=content, headers=sent) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise OutboundError("too-large", f"{url} answered more than {max_bytes} bytes.")
            body = bytearray()
            async for chunk in response.aiter_raw():
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise OutboundError("too-large", f"{url} answered more than {max_bytes} bytes.")
            return OutboundResponse(response.status_code, response.headers, bytes(body))

    async def aclose(self) -> None:
        await self._client.aclose()
