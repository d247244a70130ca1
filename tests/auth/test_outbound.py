"""The outbound policy: which URLs and addresses this service calls, for how long, how much it
reads, and that it never follows a redirect — tried against a misbehaving loopback partner."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import pytest

from auth.jwks_client import JwksCache, JwksFetchError
from auth.outbound import (
    OutboundClient,
    OutboundError,
    OutboundPolicy,
    OutboundUrlError,
)
from tests.support.bad_partner import TRICKLE_SECONDS, BadPartner

PRODUCTION = OutboundPolicy(allow_loopback=False)
DEVELOPMENT = OutboundPolicy(allow_loopback=True)

REFUSED_EVERYWHERE = [
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/jwks.json",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://[fd00::5]/jwks.json",
    "https://[fe80::1]/",
    "https://224.0.0.1/",
    "https://0.0.0.0/",
    "https://100.100.100.200/",  # shared address space (a cloud's metadata service)
    "https://[::ffff:10.0.0.5]/",
    "https:",
    "https:///path-without-host",
    "http://[::1",
    "https://user:pw@partner.example/",
    "ftp://partner.example/",
    "http://partner.example/",
]
LOOPBACK = [
    "https://127.0.0.1:7687/",
    "https://localhost:22/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "http://127.0.0.1:8080/",
]


@pytest.mark.parametrize("url", REFUSED_EVERYWHERE)
def test_urls_refused_in_every_environment(url: str) -> None:
    for policy in (PRODUCTION, DEVELOPMENT):
        with pytest.raises(OutboundUrlError):
            policy.check_url(url)


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_only_where_the_policy_allows_it(url: str) -> None:
    with pytest.raises(OutboundUrlError):
        PRODUCTION.check_url(url)
    DEVELOPMENT.check_url(url)


def test_public_https_urls_and_allowed_hosts_pass() -> None:
    PRODUCTION.check_url("https://partner.example/.well-known/jwks.json")
    PRODUCTION.check_url("https://93.184.215.14:8443/jwks.json")
    internal = OutboundPolicy(allowed_hosts=frozenset({"10.0.0.5", "partner.internal"}))
    internal.check_url("https://10.0.0.5/jwks.json")
    internal.check_url("https://partner.internal/jwks.json")
    with pytest.raises(OutboundUrlError):
        internal.check_url("http://10.0.0.5/jwks.json")  # https is still required


@pytest.fixture
def bad() -> Iterator[BadPartner]:
    server = BadPartner()
    yield server
    server.close()


def _resolver(answers: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        return answers[host]

    return resolve


@pytest.fixture
async def client() -> AsyncIterator[OutboundClient]:
    outbound = OutboundClient(OutboundPolicy(allow_loopback=True, deadline_seconds=1.0))
    yield outbound
    await outbound.aclose()


async def test_a_trickling_answer_is_cut_at_the_total_deadline(
    client: OutboundClient, bad: BadPartner
) -> None:
    """Each byte arrives well within any per-read timeout; the whole takes TRICKLE_SECONDS."""
    started = time.monotonic()
    with pytest.raises(OutboundError) as failed:
        await client.get(bad.url("/trickle"))
    assert failed.value.reason == "deadline"
    assert time.monotonic() - started < TRICKLE_SECONDS


@pytest.mark.parametrize("path", ["/huge", "/huge-declared"])
async def test_a_huge_answer_is_cut_at_the_byte_cap(
    client: OutboundClient, bad: BadPartner, path: str
) -> None:
    with pytest.raises(OutboundError) as failed:
        await client.get(bad.url(path), max_bytes=16 * 1024)
    assert failed.value.reason == "too-large"


async def test_redirects_are_never_followed(client: OutboundClient, bad: BadPartner) -> None:
    response = await client.get(bad.url("/redirect"))
    assert response.status_code == 302
    assert bad.hits["/target"] == 0


async def test_names_resolving_to_refused_addresses_are_never_connected(bad: BadPartner) -> None:
    port = bad.base_url.rsplit(":", 1)[1]
    resolve = _resolver(
        {
            "metadata.example": ["169.254.169.254"],
            "private.example": ["203.0.113.9", "10.0.0.5"],
            "rebound.example": ["127.0.0.1"],
        }
    )
    outbound = OutboundClient(PRODUCTION, resolve=resolve)
    try:
        for host in ("metadata.example", "private.example", "rebound.example"):
            with pytest.raises(OutboundError) as refused:
                await outbound.get(f"https://{host}:{port}/ok")
            assert refused.value.reason == "address-refused", host
    finally:
        await outbound.aclose()
    assert sum(bad.hits.values()) == 0


async def test_loopback_is_refused_on_the_connection_without_the_setting(bad: BadPartner) -> None:
    allowed_name = OutboundPolicy(allow_loopback=False, allowed_hosts=frozenset({"127.0.0.1"}))
    outbound = OutboundClient(allowed_name)
    try:
        with pytest.raises(OutboundError) as refused:
            await outbound.get(bad.url("/ok"))  # http: refused before any connection
        assert refused.value.reason == "url-refused"
    finally:
        await outbound.aclose()
    assert sum(bad.hits.values()) == 0


async def test_jwks_fetches_go_through_the_policy(client: OutboundClient, bad: BadPartner) -> None:
    cache = JwksCache(client)
    for path in ("/trickle", "/huge", "/redirect"):
        with pytest.raises(JwksFetchError):
            await cache.find(bad.url(path), "kid")
    production = JwksCache(OutboundClient(PRODUCTION))
    with pytest.raises(JwksFetchError):
        await production.find(bad.url("/ok"), "kid")
    assert bad.hits["/ok"] == 0
