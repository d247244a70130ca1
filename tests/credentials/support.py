"""Shared steps of the credential tests: a holder wallet, issuing, registering the instance's own
issuer as a platform, nonces and presenting."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from credentials.wallet import Wallet
from tests.conftest import TokenFactory

OWN_PLATFORM = "rolodex-self"


def segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def disclosure(encoded: str) -> list[Any]:
    decoded: list[Any] = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return decoded


@dataclass
class Holder:
    client: TestClient
    tokens: TokenFactory
    person_id: str
    wallet: Wallet

    @property
    def headers(self) -> dict[str, str]:
        return self.tokens.headers(self.person_id, "mentee")

    def issue(self, sections: list[str] | None = None) -> dict[str, Any]:
        public = self.wallet.keygen() if not self.wallet.keys else _public(self.wallet)
        body: dict[str, Any] = {"holder_jwk": {k: public[k] for k in ("kty", "crv", "x", "y")}}
        if sections is not None:
            body["sections"] = sections
        response = self.client.post("/v1/me/credentials", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        self.wallet.receive(json.dumps(answer))
        return answer

    def nonce(self) -> dict[str, Any]:
        response = self.client.post("/v1/imports/nonce", headers=self.headers)
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def present(self, credential_id: str, paths: list[str]) -> str:
        fresh = self.nonce()
        return self.wallet.present(credential_id, paths, aud=fresh["aud"], nonce=fresh["nonce"])

    def import_(self, presentation: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            "/v1/imports", json={"presentation": presentation}, headers=headers or self.headers
        )


def _public(wallet: Wallet) -> dict[str, str]:
    private = next(iter(wallet.keys.values()))
    return {k: v for k, v in private.items() if k != "d"}


def holder(client: TestClient, tokens: TokenFactory, person_id: str, tmp_path: Path) -> Holder:
    return Holder(client, tokens, person_id, Wallet.open(tmp_path / f"{person_id}-wallet.json"))


def register_own_issuer(client: TestClient, tokens: TokenFactory) -> None:
    """An operator trusts this instance's own credentials, as any other platform's."""
    metadata = client.get("/.well-known/jwt-vc-issuer").json()
    response = client.post(
        "/v1/admin/platforms",
        json={
            "id": OWN_PLATFORM,
            "name": "This instance",
            "issuer": metadata["issuer"],
            "jwks": metadata["jwks"],
        },
        headers=tokens.headers("root", "admin"),
    )
    assert response.status_code == 201, response.text
