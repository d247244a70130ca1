"""Malformed input, anywhere, answers 4xx problem+json and writes nothing — never a 500.

The cases found by hand (a bearer token whose header is `[` x 3000, a bundle header nested 5,000
deep, a 5,000-digit number in a bundle header, payload or JSON envelope, a lone surrogate in a
bundle string, a platform URL `http://[::1`) plus a generated corpus (deep nesting, huge numbers,
lone surrogates, invalid UTF-8, NUL, overlong headers) fed to every operation of the OpenAPI
document, with and without credentials.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.main import create_app
from app.settings import Settings
from auth import jws, untrusted_json
from graph.db import Graph
from portability.documents import BUNDLE_TYP
from tests.conftest import TokenFactory
from tests.support.fake_partner import FakePartner

PROBLEM = "application/problem+json"
OAUTH_ERRORS = {"/oauth/token"}  # answers RFC 6749 §5.2 JSON errors by design


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


DEEP_HEADER_TOKEN = f"{_b64(b'[' * 3000)}.{_b64(b'{}')}.{_b64(b'sig')}"

BODIES: dict[str, bytes] = {
    "deep array": b"[" * 5000 + b"]" * 5000,
    "deep object": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "huge integer": b'{"name": ' + b"9" * 5000 + b', "id": 1}',
    "huge float": b'{"name": 1e999999}',
    "long float": b'{"name": 0.' + b"1" * 5000 + b"}",
    "NaN": b'{"name": NaN}',
    "lone surrogate": b'{"name": "a\\ud800b", "id": "\\udfff"}',
    "invalid utf-8": b'{"name": "\xff\xfe"}',
    "encoded surrogate": b'{"name": "\xed\xa0\x80"}',
    "NUL escaped": b'{"name": "a\\u0000b"}',
    "NUL raw": b"\x00",
    "truncated": b'{"name": "',
}

HUGE_NUMBER_HEADER = b'{"alg":"ES256","n":' + b"9" * 5000 + b"}"
ACCESS_HEADER = b'{"alg":"ES256","typ":"at+jwt","kid":"k"}'
SURROGATE_HEADER = b'{"alg":"ES256","kid":"\\ud800"}'
BAD_TOKENS: dict[str, str] = {
    "deep header": DEEP_HEADER_TOKEN,
    "huge number header": _b64(HUGE_NUMBER_HEADER) + ".e30.c2ln",
    "deep payload": _b64(ACCESS_HEADER) + "." + _b64(b"[" * 3000) + ".c2ln",
    "surrogate header": _b64(SURROGATE_HEADER) + ".e30.c2ln",
    "not base64": "%%%.%%%.%%%",
    "overlong": "a" * 60_000,
}


def _operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    schema = client.app.openapi()  # type: ignore[attr-defined]
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _url(path: str, segment: str = "x") -> str:
    return re.sub(r"\{[^}]+\}", segment, path)


def _assert_handled(response: Response, method: str, path: str, case: str) -> None:
    where = f"{method} {path} ({case})"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400 and path not in OAUTH_ERRORS:
        assert response.headers["content-type"] == PROBLEM, f"{where}: {response.headers}"


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    generous = settings.model_copy(
        update={
            "rate_limit_token_per_address_burst": 10_000,
            "rate_limit_token_global_burst": 10_000,
            "rate_limit_burst": 10_000,
        }
    )
    with TestClient(create_app(generous)) as test_client:
        yield test_client


def test_malformed_bearer_tokens_are_401_on_every_route(app_client: TestClient) -> None:
    for method, path, _ in _operations(app_client):
        for case, token in BAD_TOKENS.items():
            response = app_client.request(
                method, _url(path), headers={"Authorization": f"Bearer {token}"}
            )
            _assert_handled(response, method, path, case)


def test_malformed_bodies_are_4xx_on_every_operation(app_client: TestClient) -> None:
    tokens = TokenFactory(app_client, app_client.app.state.settings)  # type: ignore[attr-defined]
    principals = {
        "admin": tokens.headers("root", "admin"),
        "person": tokens.headers("per_someone", "mentee"),
        "partner": tokens.partner("acme", ("bundles:read", "imports:write", "consents:read")),
    }
    for method, path, operation in _operations(app_client):
        if method == "GET" or "requestBody" not in operation:
            continue
        for who, headers in principals.items():
            for case, body in BODIES.items():
                response = app_client.request(
                    method,
                    _url(path),
                    content=body,
                    headers={**headers, "content-type": "application/json"},
                )
                _assert_handled(response, method, path, f"{who}, {case}")


def test_malformed_paths_and_queries_are_4xx(app_client: TestClient) -> None:
    tokens = TokenFactory(app_client, app_client.app.state.settings)  # type: ignore[attr-defined]
    admin = tokens.headers("root", "admin")
    segments = ["%ff%fe", "%ed%a0%80", "%00", "9" * 5000, "x" * 5000]
    queries = [
        "cursor=%ff",
        "cursor=" + "9" * 5000,
        "limit=" + "9" * 5000,
        "from=%00",
        "to=%ed%a0%80",
    ]
    for method, path, _ in _operations(app_client):
        if "{" in path:
            for segment in segments:
                response = app_client.request(method, _url(path, segment), headers=admin)
                _assert_handled(response, method, path, f"segment {segment[:12]}")
        if method == "GET":
            for query in queries:
                response = app_client.request(method, f"{_url(path)}?{query}", headers=admin)
                _assert_handled(response, method, path, query[:20])


def test_overlong_headers_are_refused_cleanly(app_client: TestClient) -> None:
    long = "x" * 64_000
    for headers in ({"X-Request-ID": long}, {"Authorization": long}, {"Content-Type": long}):
        response = app_client.post("/v1/admin/platforms", content=b"{}", headers=headers)
        _assert_handled(response, "POST", "/v1/admin/platforms", next(iter(headers)))


def test_a_platform_url_that_does_not_parse_is_422(
    app_client: TestClient,
) -> None:
    admin = TokenFactory(app_client, app_client.app.state.settings).headers("root", "admin")  # type: ignore[attr-defined]
    for field in ("jwks_url", "webhook_url", "issuer"):
        body = {
            "id": "broken",
            "name": "Broken",
            "issuer": "https://broken.example",
            "jwks_url": "https://broken.example/jwks.json",
            field: "http://[::1",
        }
        response = app_client.post("/v1/admin/platforms", json=body, headers=admin)
        assert response.status_code == 422, (field, response.text)
        assert response.headers["content-type"] == PROBLEM


@pytest.fixture
def partner_of(app_client: TestClient) -> Iterator[FakePartner]:
    fake = FakePartner("acme")
    admin = TokenFactory(app_client, app_client.app.state.settings).headers("root", "admin")  # type: ignore[attr-defined]
    response = app_client.post("/v1/admin/platforms", json=fake.registration(), headers=admin)
    assert response.status_code == 201, response.text
    yield fake
    fake.close()


async def test_malformed_bundles_are_refused_and_write_nothing(
    app_client: TestClient, partner_of: FakePartner, graph: Graph
) -> None:
    client, partner = app_client, partner_of
    pusher = TokenFactory(client, client.app.state.settings).partner("acme", ("imports:write",))  # type: ignore[attr-defined]
    before = await graph.query(
        "MATCH (n) WHERE NOT n:RateCounter AND NOT n:ImportRefusals RETURN count(n) AS n"
    )
    good = json.loads(base64.urlsafe_b64decode(partner.v2().split(".")[1] + "=="))
    surrogate_payload = json.dumps(good).replace("Pat Partner", "Pat \\ud800 Partner")
    huge_payload = json.dumps(good).replace('"version": 2', '"version": ' + "2" * 5000)
    bundles = {
        "header nested 5000 deep": f"{_b64(b'[' * 5000)}.{_b64(b'{}')}.c2ln",
        "header with a 5000-digit number": (
            _b64(b'{"alg":"ES256","typ":"' + BUNDLE_TYP.encode() + b'","x":' + b"9" * 5000 + b"}")
            + ".e30.c2ln"
        ),
        "payload with a 5000-digit number": partner.sign_raw(huge_payload),
        "payload nested 5000 deep": partner.sign_raw('{"a":' * 5000 + "1" + "}" * 5000),
        "lone surrogate in a string": partner.sign_raw(surrogate_payload),
    }
    for case, bundle in bundles.items():
        for body, content_type in (
            (json.dumps({"bundle": bundle}).encode(), "application/json"),
            (bundle.encode(), "application/jose"),
        ):
            response = client.post(
                "/v1/imports", content=body, headers={**pusher, "content-type": content_type}
            )
            assert 400 <= response.status_code < 500, (case, content_type, response.text)
            assert response.headers["content-type"] == PROBLEM
    envelope = b'{"bundle": "x", "n": ' + b"9" * 5000 + b"}"
    response = client.post(
        "/v1/imports", content=envelope, headers={**pusher, "content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert (
        await graph.query(
            "MATCH (n) WHERE NOT n:RateCounter AND NOT n:ImportRefusals RETURN count(n) AS n"
        )
        == before
    )


def test_the_untrusted_json_parser_refuses_what_json_loads_lets_through() -> None:
    for raw in BODIES.values():
        if raw in (BODIES["huge float"],) or raw.startswith(b'{"name": "a\\u0000'):
            pass
        with pytest.raises(untrusted_json.UntrustedJsonError):
            untrusted_json.loads(raw)
    assert untrusted_json.loads('{"emoji": "\\ud83d\\ude00", "n": -12.5e3}') == {
        "emoji": "\N{GRINNING FACE}",
        "n": -12500.0,
    }


def test_a_jws_header_nested_3000_deep_is_a_jws_error() -> None:
    with pytest.raises(jws.JwsError) as refused:
        jws.read_header(DEEP_HEADER_TOKEN, typ="at+jwt", max_bytes=8192)
    assert refused.value.code == "malformed"
