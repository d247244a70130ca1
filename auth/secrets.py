"""Secrets we hand out, generated with `secrets`, never stored as given.

- OAuth client secrets: stored only as a slow salted Argon2id hash. Checking one costs tens of
  milliseconds of CPU by design, so the service never runs it on the event loop:
  `SecretVerifier` runs it in a small thread pool of its own (argon2-cffi releases the GIL) and
  refuses at once with `VerifierBusyError` when more checks are already waiting than it allows,
  so a flood of token requests is answered 429 instead of queueing without bound.
- Calendar feed tokens (the secret part of a subscription URL): 256 random bits, stored only as
  their SHA-256, which is what a request's token is looked up by (a fast hash is enough for a
  value that cannot be guessed; a salted one could not be looked up).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

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
    """The blocking check (CLI, tests); the service uses `SecretVerifier.verify`."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class VerifierBusyError(Exception):
    """More secret checks are running and waiting than the verifier allows."""


def _lower_priority(nice: int) -> None:
    """Lower this thread's CPU priority (Linux schedules threads, and threads Argon2 starts for its
    lanes inherit it), so the event loop's thread wins the CPU over secret checks."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux or not allowed: as it is
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class SecretVerifier:
    """Argon2 checks off the event loop: `workers` threads at a lower CPU priority (`nice`), at
    most `max_pending` checks admitted."""

    def __init__(self, *, workers: int, max_pending: int, nice: int = 10) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=workers,
            thread_name_prefix="argon2",
            initializer=_lower_priority,
            initargs=(nice,),
        )
        self._max_pending = max(workers, max_pending)
        self._pending = 0

    @property
    def pending(self) -> int:
        return self._pending

    async def verify(self, secret: str, stored_hash: str | None) -> bool:
        if self._pending >= self._max_pending:
            raise VerifierBusyError("Too many client secret checks are in progress.")
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, verify_secret, secret, stored_hash)
        finally:
            self._pending -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


FEED_TOKEN_PREFIX = "rdxcal_"  # noqa: S105 - names the kind of token, not a secret


def new_feed_token() -> str:
    return FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
