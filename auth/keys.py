"""ES256 signing keys with a `kid`, kept in key rings, published as a JWKS.

Two rings exist, with separate keys: `access` signs access tokens, `documents` signs what leaves
the service (bundles, consent receipts, webhook notifications), so a key that signs one kind never
verifies the other. Each key's `kid` is its RFC 7638 thumbprint prefixed with the ring name.

A ring lives in a folder: `<kid>.pem` (PKCS#8, mode 0600) per key and `ring.json` naming the active
key and, for each retired key, until when it stays published. In development a key is generated on
first use; in production the folder is mounted from a secret store (or the active key is given as
PEM in `ROLODEX_<RING>_SIGNING_KEY_PEM`), and nothing is generated.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "ES256"
RING_NAMES = ("access", "documents")


class KeyRingError(RuntimeError):
    """A key ring is missing, unreadable or inconsistent."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk_of(private_key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = private_key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
    }


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an EC public key."""
    canonical = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"], "y": jwk["y"]},
        separators=(",", ":"),
        sort_keys=True,
    )
    return _b64url(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    created_at: datetime
    retire_at: datetime | None = None  # None: the active key, or a key still in use

    @property
    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_jwk(self) -> dict[str, str]:
        return {**public_jwk_of(self.private_key), "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def private_jwk(self) -> dict[str, str]:
        """The private JWK python-jose signs with (never published)."""
        d = self.private_key.private_numbers().private_value.to_bytes(32, "big")
        return {**self.public_jwk(), "d": _b64url(d)}


def new_key(ring: str, now: datetime) -> SigningKey:
    private_key = ec.generate_private_key(ec.SECP256R1())
    return SigningKey(
        kid=f"{ring}-{thumbprint(public_jwk_of(private_key))[:24]}",
        private_key=private_key,
        created_at=now,
    )


def key_from_pem(ring: str, pem: bytes, created_at: datetime) -> SigningKey:
    loaded = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey) or loaded.curve.name != "secp256r1":
        raise KeyRingError("signing keys must be EC P-256 private keys (ES256)")
    return SigningKey(
        kid=f"{ring}-{thumbprint(public_jwk_of(loaded))[:24]}",
        private_key=loaded,
        created_at=created_at,
    )


@dataclass
class KeyRing:
    """The keys of one purpose: one active key signs; retired keys verify until `retire_at`."""

    name: str
    keys: list[SigningKey]
    active_kid: str
    directory: Path | None = None
    loaded_mtime_ns: int = 0

    def refresh(self) -> None:
        """Pick up a rotation another process (`rolodex keys rotate`) wrote to disk."""
        if self.directory is None:
            return
        try:
            mtime = (self.directory / "ring.json").stat().st_mtime_ns
        except OSError:
            return
        if mtime != self.loaded_mtime_ns:
            fresh = KeyRing.load(self.name, self.directory)
            self.keys, self.active_kid, self.loaded_mtime_ns = (
                fresh.keys,
                fresh.active_kid,
                fresh.loaded_mtime_ns,
            )

    @property
    def active(self) -> SigningKey:
        return next(key for key in self.keys if key.kid == self.active_kid)

    def published(self, now: datetime) -> list[SigningKey]:
        return [key for key in self.keys if key.retire_at is None or key.retire_at > now]

    def find(self, kid: str, now: datetime) -> SigningKey | None:
        """The published key with this `kid`, or None (retired keys past their grace are gone)."""
        return next((key for key in self.published(now) if key.kid == kid), None)

    def rotate(self, now: datetime, grace: timedelta) -> SigningKey:
        """Make a new key active; the old active key stays published for `grace`."""
        fresh = new_key(self.name, now)
        self.keys = [
            SigningKey(
                k.kid,
                k.private_key,
                k.created_at,
                now + grace if k.kid == self.active_kid else k.retire_at,
            )
            for k in self.keys
            if k.retire_at is None or k.retire_at > now
        ]
        self.keys.append(fresh)
        self.active_kid = fresh.kid
        if self.directory is not None:
            self.save(self.directory)
        return fresh

    # -- storage ------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for key in self.keys:
            path = directory / f"{key.kid}.pem"
            if not path.exists():
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(key.private_pem)
        manifest = {
            "active": self.active_kid,
            "keys": [
                {
                    "kid": key.kid,
                    "created_at": key.created_at.isoformat(),
                    "retire_at": key.retire_at.isoformat() if key.retire_at else None,
                }
                for key in self.keys
            ],
        }
        staging = directory / "ring.json.tmp"
        staging.write_text(json.dumps(manifest, indent=2))
        staging.replace(directory / "ring.json")
        self.loaded_mtime_ns = (directory / "ring.json").stat().st_mtime_ns

    @classmethod
    def load(cls, name: str, directory: Path) -> KeyRing:
        try:
            manifest: dict[str, Any] = json.loads((directory / "ring.json").read_text())
            keys = []
            for entry in manifest["keys"]:
                key = key_from_pem(
                    name,
                    (directory / f"{entry['kid']}.pem").read_bytes(),
                    datetime.fromisoformat(entry["created_at"]),
                )
                if key.kid != entry["kid"]:
                    raise KeyRingError(
                        f"key file {entry['kid']}.pem does not hold the key its name says"
                    )
                retire_at = (
                    datetime.fromisoformat(entry["retire_at"]) if entry["retire_at"] else None
                )
                keys.append(SigningKey(key.kid, key.private_key, key.created_at, retire_at))
            ring = cls(
                name=name,
                keys=keys,
                active_kid=str(manifest["active"]),
                directory=directory,
                loaded_mtime_ns=(directory / "ring.json").stat().st_mtime_ns,
            )
            ring.active  # noqa: B018 - raises StopIteration when the active key is missing
        except (OSError, KeyError, ValueError, StopIteration) as error:
            raise KeyRingError(
                f"cannot read the {name!r} key ring in {directory}: {error}"
            ) from error
        return ring

    @classmethod
    def load_or_create(cls, name: str, directory: Path, now: datetime) -> KeyRing:
        if (directory / "ring.json").exists():
            return cls.load(name, directory)
        key = new_key(name, now)
        ring = cls(name=name, keys=[key], active_kid=key.kid, directory=directory)
        ring.save(directory)
        return ring


@dataclass
class KeyStore:
    """Both rings of this instance."""

    access: KeyRing
    documents: KeyRing

    def refresh(self) -> None:
        self.access.refresh()
        self.documents.refresh()

    def jwks(self, now: datetime) -> dict[str, list[dict[str, str]]]:
        """The public JWKS: every published key of both rings, public members only."""
        self.refresh()
        return {
            "keys": [
                key.public_jwk()
                for ring in (self.access, self.documents)
                for key in ring.published(now)
            ]
        }


def load_keystore(
    keys_dir: Path,
    *,
    generate: bool,
    access_pem: str | None = None,
    documents_pem: str | None = None,
) -> KeyStore:
    """Load both rings from `keys_dir/<ring>/`; create them when `generate` (development) is allowed."""
    now = datetime.now(UTC)
    rings: dict[str, KeyRing] = {}
    for name, pem in (("access", access_pem), ("documents", documents_pem)):
        if pem:
            key = key_from_pem(name, pem.encode(), now)
            rings[name] = KeyRing(name=name, keys=[key], active_kid=key.kid)
        elif generate:
            rings[name] = KeyRing.load_or_create(name, keys_dir / name, now)
        else:
            rings[name] = KeyRing.load(name, keys_dir / name)
    return KeyStore(access=rings["access"], documents=rings["documents"])
