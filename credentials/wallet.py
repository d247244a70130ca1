"""A small holder wallet: the person's EC P-256 keys and their credentials, in one local file.

The file (default `~/.rolodex/wallet.json`, or `ROLODEX_WALLET`) is written with mode 0600 and
never leaves the machine; only public keys are shown. `present` selects the disclosures of the
requested paths (`contacts[3]`, `mentorships[0]`, `profile.headline`) and appends a key-binding
JWT (`typ` kb+jwt; `aud`, `nonce`, `iat`, `sd_hash`) signed with the key the credential is bound
to (its `cnf.jwk`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jose import jws

from auth.keys import ALGORITHM, public_jwk_of, thumbprint
from credentials import sdjwt
from credentials.sdjwt import Compact


class WalletError(Exception):
    """Something the holder asked for cannot be done (unknown credential, path or key)."""


def default_path() -> Path:
    return Path(os.environ.get("ROLODEX_WALLET") or Path.home() / ".rolodex" / "wallet.json")


def unverified_payload(jwt: str) -> dict[str, Any]:
    try:
        payload = json.loads(sdjwt.b64url_decode(jwt.split(".")[1]))
    except (ValueError, IndexError) as error:
        raise WalletError("The credential's JWT payload is not readable.") from error
    if not isinstance(payload, dict):
        raise WalletError("The credential's JWT payload is not an object.")
    return payload


def key_binding_jwt(
    sd_jwt: str, private_jwk: Mapping[str, str], *, aud: str, nonce: str, iat: int | None = None
) -> str:
    """The KB-JWT over `sd_jwt` (the SD-JWT ending in `~`)."""
    claims = {
        "iat": int(time.time()) if iat is None else iat,
        "aud": aud,
        "nonce": nonce,
        "sd_hash": sdjwt.digest(sd_jwt),
    }
    token: str = jws.sign(
        claims, dict(private_jwk), headers={"typ": sdjwt.KB_TYP}, algorithm=ALGORITHM
    )
    return token


def select(credential: str, paths: list[str]) -> Compact:
    """The SD-JWT with only the disclosures that reveal `paths` (and their parents)."""
    compact = sdjwt.split(credential)
    index = sdjwt.index_disclosures(unverified_payload(compact.jwt), compact.disclosures)
    chosen: list[str] = []
    for path in paths:
        if path not in index:
            raise WalletError(
                f"Nothing to disclose at {path!r}; disclosable: {', '.join(sorted(index)[:20])}…"
            )
        chosen += [encoded for encoded in index[path] if encoded not in chosen]
    return Compact(jwt=compact.jwt, disclosures=chosen, kb_jwt=None)


@dataclass
class Wallet:
    path: Path
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # kid → private JWK
    credentials: dict[str, dict[str, str]] = field(default_factory=dict)  # id → {credential, kid}

    @classmethod
    def open(cls, path: Path) -> Wallet:
        if not path.exists():
            return cls(path)
        data = json.loads(path.read_text())
        return cls(path, data.get("keys", {}), data.get("credentials", {}))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        staging = self.path.with_suffix(".tmp")
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"keys": self.keys, "credentials": self.credentials}, handle, indent=2)
        os.chmod(staging, 0o600)
        staging.replace(self.path)

    def keygen(self) -> dict[str, str]:
        """A new key; return its public JWK (with `kid`, its RFC 7638 thumbprint)."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = public_jwk_of(private_key)
        kid = thumbprint(public)
        d = private_key.private_numbers().private_value.to_bytes(32, "big")
        self.keys[kid] = {**public, "kid": kid, "d": sdjwt.b64url(d)}
        self.save()
        return {**public, "kid": kid}

    def receive(self, text: str) -> str:
        """Keep a credential: the JSON answer of `POST /v1/me/credentials`, or the SD-JWT."""
        text = text.strip()
        credential_id = None
        if text.startswith("{"):
            answer = json.loads(text)
            text, credential_id = str(answer["credential"]), answer.get("credential_id")
        compact = sdjwt.split(text)
        payload = unverified_payload(compact.jwt)
        cnf = payload.get("cnf", {}).get("jwk", {})
        kid = thumbprint(cnf) if {"kty", "crv", "x", "y"} <= set(cnf) else None
        if kid is None or kid not in self.keys:
            raise WalletError("The credential is bound to a key this wallet does not hold.")
        credential_id = credential_id or sdjwt.digest(compact.jwt)[:16]
        self.credentials[credential_id] = {"credential": text, "kid": kid}
        self.save()
        return credential_id

    def paths(self, credential_id: str) -> list[str]:
        compact = sdjwt.split(self._credential(credential_id)["credential"])
        payload = unverified_payload(compact.jwt)
        return list(sdjwt.index_disclosures(payload, compact.disclosures))

    def present(self, credential_id: str, paths: list[str], *, aud: str, nonce: str) -> str:
        held = self._credential(credential_id)
        selected = select(held["credential"], paths)
        kb = key_binding_jwt(selected.sd_jwt, self.keys[held["kid"]], aud=aud, nonce=nonce)
        return Compact(selected.jwt, selected.disclosures, kb).serialize()

    def _credential(self, credential_id: str) -> dict[str, str]:
        if credential_id not in self.credentials:
            raise WalletError(f"The wallet holds no credential {credential_id!r}.")
        return self.credentials[credential_id]
