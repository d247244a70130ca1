"""The held doors of issue 14, tried as an attacker would: each test failed before its fix.

1. a program admin's proposal must not pull an outsider into their program;
2. a mentee must not join (or pull a mentor into) a cohort of a program they are not in;
3. an unregistered platform's clients stop at once and stay stopped after re-registration;
4. platforms and webhook deliveries are the operator's, not any program admin's;
5. access tokens live at most ROLODEX_ACCESS_TOKEN_MAX_TTL_SECONDS (CLI and API);
7. personal data answers are never cached or sniffed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from auth.principals import Role
from auth.secrets import hash_secret
from auth.tokens import issue_access_token
from graph.clients import create_client
from graph.db import Graph
from graph.values import Row
from tests import builders
from tests.conftest import TEST_NEO4J_PASSWORD, TokenFactory
from tests.http import created, hidden, ok, problem

SECRET = "door-three-secret-0123456789abcdef"


def _proposal(mentor: Row, mentee: Row, cohort: Row) -> dict[str, Any]:
    return {"mentor_id": mentor["id"], "mentee_id": mentee["id"], "cohort_id": cohort["id"]}


def _person_paths(person_id: str) -> list[tuple[str, str]]:
    base = f"/v1/people/{person_id}"
    return [
        ("GET", base),
        ("GET", f"{base}/contacts"),
        ("GET", f"{base}/contacts.vcf"),
        ("GET", f"{base}/network"),
        ("GET", f"{base}/mentorships"),
    ]


def _assert_out_of_reach(client: TestClient, headers: dict[str, str], person_id: str) -> None:
    for method, path in _person_paths(person_id):
        hidden(client.request(method, path, headers=headers), "person", person_id)
    hidden(
        client.patch(f"/v1/people/{person_id}", json={"headline": "x"}, headers=headers),
        "person",
        person_id,
    )
    hidden(client.delete(f"/v1/people/{person_id}", headers=headers), "person", person_id)


# Door 1 --------------------------------------------------------------------------------------


async def test_an_admin_proposal_grants_nothing_until_the_mentor_accepts(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    program = await builders.program(graph, "P")
    cohort = await builders.cohort(graph, program["id"])
    mentee = await builders.person(graph, "E", cohort_id=cohort["id"])
    outsider = await builders.mentor(graph, "R", discoverable=True)
    admin = tokens.headers("admin-p", "admin", programs=[program["id"]])

    proposal = created(
        client.post("/v1/mentorships", json=_proposal(outsider, mentee, cohort), headers=admin)
    )
    _assert_out_of_reach(client, admin, outsider["id"])
    # The admin cannot accept on the proposed person's behalf.
    path = f"/v1/mentorships/{proposal['id']}"
    problem(client.patch(path, json={"status": "active"}, headers=admin), 403)
    # Declining leaves the admin where they were: out of reach.
    as_outsider = tokens.headers(outsider["id"], "mentor")
    ok(client.patch(path, json={"status": "declined"}, headers=as_outsider))
    _assert_out_of_reach(client, admin, outsider["id"])
    hidden(client.get(f"/v1/cohorts/{cohort['id']}", headers=as_outsider), "cohort", cohort["id"])

    # Accepting is the person's own act: from then on they are a member of the cohort.
    second = created(
        client.post("/v1/mentorships", json=_proposal(outsider, mentee, cohort), headers=admin)
    )
    ok(
        client.patch(
            f"/v1/mentorships/{second['id']}", json={"status": "active"}, headers=as_outsider
        )
    )
    ok(client.get(f"/v1/people/{outsider['id']}/contacts", headers=admin))
    ok(client.get(f"/v1/cohorts/{cohort['id']}", headers=as_outsider))


async def test_a_person_proposal_grants_nothing_either(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    program = await builders.program(graph, "P")
    cohort = await builders.cohort(graph, program["id"])
    mentee = await builders.person(graph, "E", cohort_id=cohort["id"])
    outsider = await builders.mentor(graph, "R", discoverable=True)
    admin = tokens.headers("admin-p", "admin", programs=[program["id"]])
    created(
        client.post(
            "/v1/mentorships",
            json=_proposal(outsider, mentee, cohort),
            headers=tokens.headers(mentee["id"], "mentee"),
        )
    )
    _assert_out_of_reach(client, admin, outsider["id"])


# Door 2 --------------------------------------------------------------------------------------


async def test_a_mentee_cannot_join_a_cohort_of_another_program(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    own = await builders.cohort(graph, (await builders.program(graph, "Mine"))["id"])
    other_program = await builders.program(graph, "Theirs")
    other = await builders.cohort(graph, other_program["id"])
    mentee = await builders.person(graph, "A", cohort_id=own["id"], discoverable=True)
    mentor = await builders.mentor(graph, "R3", discoverable=True)
    as_mentee = tokens.headers(mentee["id"], "mentee")

    hidden(
        client.post("/v1/mentorships", json=_proposal(mentor, mentee, other), headers=as_mentee),
        "cohort",
        other["id"],
    )
    hidden(client.get(f"/v1/cohorts/{other['id']}", headers=as_mentee), "cohort", other["id"])
    other_admin = tokens.headers("admin-q", "admin", programs=[other_program["id"]])
    _assert_out_of_reach(client, other_admin, mentor["id"])
    # Nor can a mentor pull them in, nor the other program's admin (even though A is
    # discoverable): the mentee must already be in the cohort's program.
    for headers in (tokens.headers(mentor["id"], "mentor"), other_admin):
        problem(
            client.post("/v1/mentorships", json=_proposal(mentor, mentee, other), headers=headers),
            422,
        )
    assert await builders.count(graph, "Mentorship") == 0

    # Within their own program, a proposal still goes through.
    created(client.post("/v1/mentorships", json=_proposal(mentor, mentee, own), headers=as_mentee))


# Door 3 --------------------------------------------------------------------------------------


def _token_form() -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": "client_x",
        "client_secret": SECRET,
    }


async def test_an_unregistered_platform_stops_at_once_and_stays_stopped(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    operator = tokens.headers("root", "admin")
    registration = {
        "id": "x",
        "name": "X",
        "issuer": "https://x.example",
        "jwks_url": "https://x.example/jwks.json",
    }
    created(client.post("/v1/admin/platforms", json=registration, headers=operator))
    await create_client(
        graph,
        client_id="client_x",
        platform_id="x",
        name="X",
        scopes=["bundles:read", "consents:read"],
        secret_hash=hash_secret(SECRET),
    )
    person = await builders.person(graph, "Pat")
    as_person = tokens.headers(person["id"], "mentee")
    consent = created(
        client.post(
            f"/v1/people/{person['id']}/consents",
            json={"audience": "x", "scopes": ["profile"], "purpose": "Share with X"},
            headers=as_person,
        )
    )["consent"]
    token = ok(client.post("/oauth/token", data=_token_form()))["access_token"]
    as_x = {"Authorization": f"Bearer {token}"}
    consent_path = f"/v1/consents/{consent['id']}"
    export = (f"/v1/people/{person['id']}/bundles", {"audience": "x"})
    ok(client.get(consent_path, headers=as_x))
    created(client.post(export[0], json=export[1], headers=as_x))

    assert client.delete("/v1/admin/platforms/x", headers=operator).status_code == 204

    def refused() -> None:
        for response in (
            client.get(consent_path, headers=as_x),
            client.post(export[0], json=export[1], headers=as_x),
            client.get(f"/v1/people/{person['id']}/consents", headers=as_x),
        ):
            assert problem(response, 401)["type"] == "https://rolodex.dev/problems/invalid-token"
        denied = client.post("/oauth/token", data=_token_form())
        assert denied.status_code == 401
        assert denied.json()["error"] == "invalid_client"

    refused()
    created(client.post("/v1/admin/platforms", json=registration, headers=operator))
    refused()


# Door 4 --------------------------------------------------------------------------------------


def test_program_admins_do_not_touch_global_partner_settings(
    client: TestClient, tokens: TokenFactory, acme: str
) -> None:
    program_admin = tokens.headers("admin-p", "admin", programs=["prg_p"])
    attempts = [
        client.get("/v1/admin/platforms", headers=program_admin),
        client.get(f"/v1/admin/platforms/{acme}", headers=program_admin),
        client.patch(
            f"/v1/admin/platforms/{acme}",
            json={"webhook_url": "https://evil.example/hook"},
            headers=program_admin,
        ),
        client.post(
            "/v1/admin/platforms",
            json={
                "id": "evil",
                "name": "Evil",
                "issuer": "https://evil.example",
                "jwks_url": "https://evil.example/jwks.json",
            },
            headers=program_admin,
        ),
        client.delete(f"/v1/admin/platforms/{acme}", headers=program_admin),
        client.get("/v1/admin/webhook-deliveries", headers=program_admin),
    ]
    for response in attempts:
        assert problem(response, 403)["type"] == "https://rolodex.dev/problems/forbidden"
    operator = tokens.headers("root", "admin")
    assert ok(client.get(f"/v1/admin/platforms/{acme}", headers=operator))["webhook_url"] is None
    ok(client.get("/v1/admin/webhook-deliveries", headers=operator))


# Door 5 --------------------------------------------------------------------------------------


def _token_living(client: TestClient, settings: Settings, seconds: int) -> dict[str, str]:
    token = issue_access_token(
        client.app.state.keystore.access,  # type: ignore[attr-defined]
        issuer=settings.public_url,
        audience=settings.access_token_audience,
        subject="root",
        role=Role.ADMIN,
        ttl=timedelta(seconds=seconds),
        programs=["*"],
    )
    return {"Authorization": f"Bearer {token}"}


def test_the_api_refuses_tokens_living_longer_than_the_maximum(
    client: TestClient, settings: Settings
) -> None:
    assert settings.access_token_max_ttl_seconds == 3600
    ok(client.get("/v1/programs", headers=_token_living(client, settings, 3600)))
    for seconds in (3601, 10 * 365 * 24 * 3600):
        body = problem(
            client.get("/v1/programs", headers=_token_living(client, settings, seconds)), 401
        )
        assert body["type"] == "https://rolodex.dev/problems/invalid-token"


def test_the_maximum_is_a_setting() -> None:
    assert Settings(access_token_max_ttl_seconds=7200).access_token_max_ttl_seconds == 7200
    with pytest.raises(ValueError, match="access_token_ttl_seconds"):
        Settings(access_token_ttl_seconds=7200)


def test_the_cli_refuses_tokens_living_longer_than_the_maximum(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": TEST_NEO4J_PASSWORD,
        "ROLODEX_KEYS_DIR": str(tmp_path),
        "ROLODEX_PUBLIC_URL": settings.public_url,
        "ROLODEX_ENVIRONMENT": "test",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    args = ["tokens", "issue", "--subject", "root", "--role", "admin"]
    refused = CliRunner().invoke(cli, [*args, "--ttl", "604800"])
    assert refused.exit_code != 0
    assert "3600" in refused.output
    assert CliRunner().invoke(cli, [*args, "--ttl", "3600"]).exit_code == 0
    monkeypatch.setenv("ROLODEX_ACCESS_TOKEN_MAX_TTL_SECONDS", "7200")
    assert CliRunner().invoke(cli, [*args, "--ttl", "7200"]).exit_code == 0


# Door 7 --------------------------------------------------------------------------------------


async def test_personal_data_is_never_cached_or_sniffed(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    person = await builders.person(graph, "Pat")
    as_person = tokens.headers(person["id"], "mentee")
    consent = created(
        client.post(
            f"/v1/people/{person['id']}/consents",
            json={"audience": "self", "scopes": ["profile"], "purpose": "My own copy"},
            headers=as_person,
        )
    )["consent"]
    base = f"/v1/people/{person['id']}"
    for path in (
        base,
        f"{base}/contacts",
        f"{base}/contacts.vcf",
        f"{base}/consents",
        f"/v1/consents/{consent['id']}",
        "/v1/me",
        "/v1/people/nobody",
    ):
        response = client.get(path, headers=as_person)
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["x-content-type-options"] == "nosniff", path
    token = client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert token.headers["x-content-type-options"] == "nosniff"
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.headers["x-content-type-options"] == "nosniff"
