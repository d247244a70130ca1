"""The published JWKS: public keys only, cacheable, verifiable by an independent JOSE library, rotation-safe."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from app.main import create_app
from app.settings import Settings
from auth.principals import Role
from auth.tokens import issue_access_token
from tests.conftest import TokenFactory


def test_jwks_publishes_public_keys_with_cache_control(client: TestClient) -> None:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    keys = response.json()["keys"]
    assert {key["kid"].split("-")[0] for key in keys} == {"access", "documents"}
    for key in keys:
        assert key["alg"] == "ES256"
        assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & set(key)


def test_our_token_verifies_with_an_independent_library(
    client: TestClient, tokens: TokenFactory, settings: Settings
) -> None:
    token = tokens.token("person-1", "mentor")
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    decoded = jwt.decode(token, key_set, algorithms=["ES256"])
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.claims["sub"] == "person-1"
    assert decoded.claims["iss"] == settings.public_url
    registry = jwt.JWTClaimsRegistry(iss={"essential": True, "value": settings.public_url})
    registry.validate(decoded.claims)

    header, payload, signature = token.split(".")
    tampered = (
        f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    )
    with pytest.raises((BadSignatureError, ValueError)):
        jwt.decode(tampered, key_set, algorithms=["ES256"])


def test_tokens_signed_before_a_rotation_still_verify_during_the_grace(
    settings: Settings, tmp_path: Path
) -> None:
    isolated = settings.model_copy(update={"keys_dir": tmp_path / "keys"})
    with TestClient(create_app(isolated)) as client:
        ring = client.app.state.keystore.access  # type: ignore[attr-defined]
        old_kid = ring.active_kid
        before = issue_access_token(
            ring,
            issuer=settings.public_url,
            audience=settings.access_token_audience,
            subject="p1",
            role=Role.MENTEE,
            ttl=timedelta(minutes=5),
        )
        # Rotate the way an operator does: the CLI in another process, on the same key folder.
        env = {
            **os.environ,
            "ROLODEX_KEYS_DIR": str(tmp_path / "keys"),
            "ROLODEX_ENVIRONMENT": "test",
        }
        rotated = subprocess.run(
            [
                sys.executable,
                "-m",
                "app.cli",
                "keys",
                "rotate",
                "--ring",
                "access",
                "--grace-seconds",
                "3600",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert rotated.returncode == 0, rotated.stderr

        # The running server picks the rotation up and still accepts the old token.
        authenticator = client.app.state.authenticator  # type: ignore[attr-defined]
        principal = client.portal.call(authenticator.authenticate, before)  # type: ignore[union-attr]
        assert principal.subject == "p1"
        kids = {key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]}
        assert old_kid in kids
        assert ring.active_kid != old_kid
        after = issue_access_token(
            ring,
            issuer=settings.public_url,
            audience=settings.access_token_audience,
            subject="p1",
            role=Role.MENTEE,
            ttl=timedelta(minutes=5),
        )
        assert (
            jwt.decode(
                after, KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
            ).header["kid"]
            == ring.active_kid
        )

        # Past the grace period the old key is gone and its tokens are refused.
        assert ring.find(old_kid, datetime.now(UTC) + timedelta(hours=2)) is None
