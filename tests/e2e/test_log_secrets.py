"""The logs of a full run hold no secret and no personal contact data.

A real instance logging at DEBUG (the most it ever says) goes through the whole app path: an
OAuth client's credentials (right and wrong), people's tokens, a profile and contacts with email
addresses, a consent grant with its receipt, exports, a download, an applied and a refused
import, a revocation. Its log must contain none of the tokens, the client secret, the Neo4j
password, the bundles or receipts, nor any email address — and every request line carries its
request id.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_NEO4J_PASSWORD
from tests.support.fake_partner import FakePartner
from tests.support.live import ROOT, LiveServer, start_server

pytestmark = pytest.mark.neo4j  # runs the service and Neo4j for real

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@pytest.fixture
def server(neo4j_uri: str, tmp_path: Path, clean_graph: None) -> Iterator[LiveServer]:
    live = start_server("rolodex", neo4j_uri, tmp_path, {"ROLODEX_LOG_LEVEL": "DEBUG"})
    yield live
    live.stop()


def _client_credentials(neo4j_uri: str) -> dict[str, str]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "clients",
            "create",
            "--platform-id",
            "acme",
            "--name",
            "Acme",
            "--scopes",
            "bundles:read imports:write consents:read",
        ],
        cwd=ROOT,
        env={**os.environ, "NEO4J_URI": neo4j_uri, "NEO4J_PASSWORD": TEST_NEO4J_PASSWORD},
        capture_output=True,
        text=True,
        check=True,
    )
    credentials: dict[str, str] = json.loads(completed.stdout.strip().splitlines()[-1])
    return credentials


def test_a_full_run_logs_no_secret_and_no_email(server: LiveServer, neo4j_uri: str) -> None:
    secrets: list[str] = [TEST_NEO4J_PASSWORD]
    partner = FakePartner("acme")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            registered = http.post(
                "/v1/admin/platforms", json=partner.registration(), headers=server.admin()
            )
            assert registered.status_code == 201, registered.text
            credentials = _client_credentials(neo4j_uri)
            secrets += [credentials["client_secret"], "wrong-secret-do-not-log"]
            wrong = http.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": credentials["client_id"],
                    "client_secret": "wrong-secret-do-not-log",
                },
            )
            assert wrong.status_code == 401
            basic = base64.b64encode(
                f"{credentials['client_id']}:{credentials['client_secret']}".encode()
            ).decode()
            issued = http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                headers={"Authorization": f"Basic {basic}"},
            )
            assert issued.status_code == 200, issued.text
            partner_token = issued.json()["access_token"]
            secrets += [basic, partner_token]
            as_partner = {"Authorization": f"Bearer {partner_token}"}

            sam = server.headers("per_sam", "mentee")
            secrets.append(sam["Authorization"].split()[1])
            created = http.post(
                "/v1/people",
                json={
                    "display_name": "Sam",
                    "roles": ["mentee"],
                    "email": "sam.private@example.org",
                },
                headers=sam,
            )
            assert created.status_code == 201, created.text
            contact = http.post(
                "/v1/people/per_sam/contacts",
                json={"name": "Carla", "email": "carla.private@example.net"},
                headers=sam,
            )
            assert contact.status_code == 201, contact.text
            grant = http.post(
                "/v1/people/per_sam/consents",
                json={"audience": "acme", "scopes": ["profile", "contacts"], "purpose": "move"},
                headers=sam,
            )
            assert grant.status_code == 201, grant.text
            secrets.append(grant.json()["receipt"])
            exported = http.post(
                "/v1/people/per_sam/bundles", json={"audience": "acme"}, headers=as_partner
            )
            assert exported.status_code == 201, exported.text
            secrets.append(exported.json()["bundle"])
            download = http.get("/v1/me/bundle", headers=sam)
            assert download.status_code == 200
            secrets.append(download.text)

            bundle = partner.v2(jti="bdl_logged", contacts=3)
            secrets.append(bundle)
            applied = http.post("/v1/imports", json={"bundle": bundle}, headers=as_partner)
            assert applied.status_code == 201, applied.text
            refused = http.post(
                "/v1/imports", json={"bundle": partner.v2(ttl=-60)}, headers=as_partner
            )
            assert refused.status_code == 422
            forged = http.get("/v1/me", headers={"Authorization": "Bearer forged.token.value"})
            assert forged.status_code == 401
            secrets.append("forged.token.value")
            revoked = http.delete(f"/v1/consents/{grant.json()['consent']['id']}", headers=sam)
            assert revoked.status_code == 200
    finally:
        partner.close()
    server.stop()
    logs = server.logs()

    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("message") == "request"]
    assert len(requests) >= 12
    assert all(line.get("request_id") for line in requests)
    assert any(line.get("problem") == "bundle-expired" for line in lines)  # refusals are logged
    for secret in secrets:
        for piece in {secret, secret[:40], secret[-40:]}:
            assert piece not in logs, f"a secret reached the log: {piece[:12]}…"
    assert EMAIL.findall(logs) == []
