"""Secrets we hand out, generated with `secrets`, never stored as given.

- OAuth client secrets: stored only as a slow salted Argon2id hash.
- Calendar feed tokens (the secret part of a subscription URL): 256 random bits, stored only as
  their SHA-256, which is what a request's token is looked up by (a fast hash is enough for a
  value that cannot be guessed; a salted one could not be looked up).
"""

from __future__ import annotations

import hashlib
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


FEED_TOKEN_PREFIX = "rdxcal_"  # noqa: S105 - names the kind of token, not a secret


def new_feed_token() -> str:
    return FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
