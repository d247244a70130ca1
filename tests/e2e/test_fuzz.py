"""Fuzzing from the OpenAPI document with schemathesis, against a real uvicorn and a real Neo4j.

The operations come from the document the app generates (the same one committed in openapi/ and
checked for drift), so a route added to the app is fuzzed without touching this file. Every
operation runs once per role — mentee, mentor, admin (all programs) and a partner holding every
scope — with valid tokens of the running instance, in positive and negative modes, under the
checks `not_a_server_error`, `status_code_conformance`, `response_schema_conformance`,
`negative_data_rejection` and `ignored_auth`. The stateful runs follow the document's OpenAPI
links (create → read/change/delete). Bounded by `FUZZ_MAX_EXAMPLES` per operation and role
(`ROLODEX_FUZZ_MAX_EXAMPLES` overrides it) and a per-example deadline.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    ensure_resource_availability,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from app.main import create_app
from app.settings import Settings
from auth.principals import Role
from tests.support.live import LiveServer, start_server, wipe

pytestmark = pytest.mark.neo4j  # runs the service and Neo4j for real

FUZZ_MAX_EXAMPLES = int(os.environ.get("ROLODEX_FUZZ_MAX_EXAMPLES", "25"))
STATEFUL_MAX_EXAMPLES = int(os.environ.get("ROLODEX_FUZZ_STATEFUL_EXAMPLES", "40"))
DEADLINE = timedelta(seconds=10)
RANDOM = os.environ.get("ROLODEX_FUZZ_RANDOM") == "1"  # explore beyond CI's fixed examples
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]

# Along links, also: a created resource can be read (ensure_resource_availability), a deleted one
# is gone (use_after_free).
STATEFUL_CHECKS: list[CheckFunction] = [*CHECKS, ensure_resource_availability, use_after_free]

MENTEE = "per_fuzz_mentee"
MENTOR = "per_fuzz_mentor"
PARTNER_PLATFORM = "fuzz-partner"
ROLES = ("mentee", "mentor", "admin", "partner")

CONFIG = schemathesis.Config.from_dict(
    {
        # The bearer token is ours, set per role; the generator leaves Authorization alone.
        "generation": {
            "max-examples": FUZZ_MAX_EXAMPLES,
            "mode": "all",
            "deterministic": not RANDOM,
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": True}},
    }
)
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(migrate_on_startup=False)).openapi(), config=CONFIG
)
EXAMPLES_RUN: dict[str, int] = {}
STATEFUL_CALLS: list[tuple[str, int]] = []
OPERATIONS_RUN: set[tuple[str, str]] = set()

# Imports also take the raw JWS as application/jose: send generated strings as text.
schemathesis.serializer.alias("application/jose", "text/plain")

# Framing headers are no API parameters: a generated `Content-Length: abc` tests uvicorn's HTTP
# parser (which answers a bare 400 before any application code runs), not this API.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "host", "connection", "expect"})


@SCHEMA.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    if headers is None:
        return None
    return {name: value for name, value in headers.items() if name.lower() not in FRAMING_HEADERS}


@pytest.fixture(autouse=True)
def clean_graph() -> None:
    """Overrides the suite's per-test wipe: this module keeps its seeded graph from one operation
    to the next (`live` wipes it before and after the module, stateful scenarios reset it)."""


@pytest.fixture(scope="module")
def live(neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One instance for the whole module, rate limits lifted so the fuzzer reaches past them."""
    wipe(neo4j_uri)
    server = start_server(
        "fuzz",
        neo4j_uri,
        tmp_path_factory.mktemp("fuzz"),
        {
            "ROLODEX_RATE_LIMIT_TOKEN_PER_MINUTE": "1000000",
            "ROLODEX_RATE_LIMIT_EXPORT_PER_MINUTE": "1000000",
            "ROLODEX_RATE_LIMIT_IMPORT_PER_MINUTE": "1000000",
            "ROLODEX_RATE_LIMIT_BURST": "1000000",
            "ROLODEX_WEBHOOK_WORKER_ENABLED": "false",
        },
    )
    try:
        _seed(server)
        yield server
    finally:
        server.stop()
        wipe(neo4j_uri)


def _seed(server: LiveServer) -> None:
    """The people behind the person tokens, and the partner's platform, so requests get past 404."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for subject, role in ((MENTEE, "mentee"), (MENTOR, "mentor")):
            response = http.post(
                "/v1/people",
                headers=server.headers(subject, role),
                json={"display_name": subject, "roles": [role], "capacity": 3},
            )
            assert response.status_code == 201, response.text
        response = http.post(
            "/v1/admin/platforms",
            headers=server.admin(),
            json={
                "id": PARTNER_PLATFORM,
                "name": "Fuzz partner",
                "issuer": "https://partner.invalid",
                "jwks_url": "https://partner.invalid/.well-known/jwks.json",
            },
        )
        assert response.status_code == 201, response.text


def _headers(server: LiveServer, role: str) -> dict[str, str]:
    if role == "admin":
        return server.admin()
    if role == "partner":
        return server.partner(PARTNER_PLATFORM)
    return server.headers(MENTEE if role == "mentee" else MENTOR, Role(role))


@pytest.fixture(scope="module")
def role_headers(live: LiveServer) -> dict[str, dict[str, str]]:
    return {role: _headers(live, role) for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
@SCHEMA.parametrize()
@hypothesis.settings(deadline=DEADLINE, suppress_health_check=list(hypothesis.HealthCheck))
def test_every_operation_holds_up(
    case: schemathesis.Case[Any],
    role: str,
    live: LiveServer,
    role_headers: dict[str, dict[str, str]],
) -> None:
    EXAMPLES_RUN[role] = EXAMPLES_RUN.get(role, 0) + 1
    OPERATIONS_RUN.add((case.operation.label, role))
    case.call_and_validate(base_url=live.url, headers=role_headers[role], checks=CHECKS)


def test_stateful_runs_follow_the_links(live: LiveServer, role_headers: dict[str, Any]) -> None:
    base = SCHEMA.as_state_machine()

    class Workflow(base):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            # Each scenario starts from the same graph: the server's answers then depend only
            # on the scenario, which Hypothesis needs to explore choices consistently.
            wipe(live.neo4j_uri)
            _seed(live)

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"base_url": live.url, "headers": role_headers["admin"]}

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
            super().after_call(response, case)
            STATEFUL_CALLS.append((case.operation.label, response.status_code))

        def validate_response(
            self,
            response: schemathesis.Response,
            case: schemathesis.Case[Any],
            additional_checks: list[CheckFunction] | None = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs)

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_MAX_EXAMPLES,
            stateful_step_count=8,
            deadline=DEADLINE,
            # The server keeps state between scenarios, so a replay for shrinking cannot reproduce
            # a scenario exactly: report the first failure as it happened.
            phases=[hypothesis.Phase.generate],
            derandomize=not RANDOM,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )

    # The links were followed: operations on a path parameter reached what an earlier step made.
    followed = [
        (label, status) for label, status in STATEFUL_CALLS if "{" in label and 200 <= status < 300
    ]
    assert followed, Counter(STATEFUL_CALLS).most_common(20)
    _report()


def test_every_operation_was_fuzzed_for_every_role() -> None:
    """Every operation of the document ran for every role (skipped when they were deselected)."""
    if not EXAMPLES_RUN:
        pytest.skip("the per-operation fuzzing did not run in this session")
    operations = {label for label, _ in OPERATIONS_RUN}
    assert operations == {operation.label for operation in _operations()}
    assert {role for _, role in OPERATIONS_RUN} == set(ROLES)
    assert all(EXAMPLES_RUN[role] >= len(operations) for role in ROLES)
    _report()


def _operations() -> list[schemathesis.APIOperation[Any, Any, Any, Any]]:
    results = list(SCHEMA.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), (
        "an operation schemathesis cannot read"
    )
    return [result.ok() for result in results if isinstance(result, Ok)]


def _report() -> None:
    """The counts of the closing note, kept in var/ (git-ignored)."""
    Path("var").mkdir(exist_ok=True)
    Path("var/fuzz-report.json").write_text(
        json.dumps(
            {
                "operations": len({label for label, _ in OPERATIONS_RUN}),
                "examples_per_role": EXAMPLES_RUN,
                "examples": sum(EXAMPLES_RUN.values()),
                "stateful_calls": len(STATEFUL_CALLS),
            },
            indent=2,
        )
    )
