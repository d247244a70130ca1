"""Per-principal rate limits (token buckets) for the expensive or abusable endpoints.

Buckets live in process memory: with N uvicorn workers a client gets at most N times the limit,
which is documented and fine for abuse protection; a shared store is the upgrade path.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from app.errors import RateLimitedError

MAX_TRACKED_KEYS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimit:
    """`per_minute` requests a minute on average, bursts up to `burst`."""

    per_minute: int
    burst: int
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def hit(self, key: str, now: float | None = None) -> None:
        """Take one token for `key`, or raise 429 with the seconds until one is available."""
        moment = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_KEYS:
                self._buckets.clear()  # bounded memory under a flood of distinct keys
            bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=moment)
        bucket.tokens = min(float(self.burst), bucket.tokens + (moment - bucket.updated) * rate)
        bucket.updated = moment
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return
        retry_after = max(1, math.ceil((1.0 - bucket.tokens) / rate))
        raise RateLimitedError(
            f"Too many requests; retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


@dataclass
class RateLimits:
    token: RateLimit
    export: RateLimit
    imports: RateLimit
