"""Client secrets: generated with `secrets`, stored only as a slow salted Argon2id hash."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile defaults
# A hash of a random secret, verified against when the client id is unknown, so that unknown ids
# and wrong secrets take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret: str, stored_hash: str | None) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
