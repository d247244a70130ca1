"""The webhook worker: delivers queued consent notifications to partner platforms.

Runs as a background task of the app (started and cancelled by the lifespan). Each delivery is
signed at send time as a Security Event Token (RFC 8417, `typ` secevent+jwt, documents key ring)
and POSTed as `application/secevent+jwt` (RFC 8935). A 2xx marks it delivered; anything else
schedules another attempt with exponential back-off up to a cap, until the last attempt. Because
the queue is in Neo4j, deliveries survive restarts; leases keep two workers off the same one.
Every POST goes through the outbound policy (auth/outbound.py): total deadline, address rules,
no redirects, the answer read up to `MAX_ANSWER_BYTES`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from app import telemetry
from app.settings import Settings
from auth.keys import KeyStore
from auth.outbound import OutboundClient, OutboundError
from graph import outbox
from graph.db import Graph
from graph.values import Row
from portability.documents import CONSENT_REVOKED_EVENT, EVENT_TYP, sign_document

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 16 * 1024
"""A receiver's answer is read up to this size; more fails the attempt."""
REFUSALS = ("url-refused", "address-refused")
"""Outbound failures that no retry can fix: the delivery is given up at once."""


def backoff(attempts_made: int, base_seconds: float, cap_seconds: float) -> timedelta:
    """Delay before the next attempt after `attempts_made` failures: base·2^(n-1), capped."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts_made - 1)))


def event_claims(delivery: Row, *, issuer: str, status_url: str, now: datetime) -> dict[str, Any]:
    return {
        "iss": issuer,
        "aud": delivery["platform_id"],
        "iat": int(now.timestamp()),
        "jti": delivery["id"],
        "events": {
            CONSENT_REVOKED_EVENT: {
                "consent_id": delivery["consent_id"],
                "status": "revoked",
                "status_url": status_url,
            }
        },
    }


class WebhookWorker:
    def __init__(
        self, graph: Graph, outbound: OutboundClient, keystore: KeyStore, settings: Settings
    ) -> None:
        self._graph = graph
        self._http = outbound
        self._keystore = keystore
        self._settings = settings
        self._wake = asyncio.Event()

    def kick(self) -> None:
        """Look for due deliveries now rather than at the next poll."""
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            try:
                await self.deliver_due()
            except Exception:
                log.exception("webhook delivery round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), timeout=self._settings.webhook_poll_seconds
                )
            self._wake.clear()

    async def deliver_due(self) -> int:
        """Send every due delivery once; return how many were attempted."""
        now = datetime.now(UTC)
        due = await outbox.claim_due(
            self._graph, now, lease=timedelta(seconds=self._settings.webhook_timeout_seconds * 4)
        )
        for delivery in due:
            await self._deliver(delivery)
        return len(due)

    async def _deliver(self, delivery: Row) -> None:
        settings = self._settings
        now = datetime.now(UTC)
        status_code: int | None = None
        try:
            status_url = f"{settings.public_url}/v1/consents/{delivery['consent_id']}/status"
            token = sign_document(
                self._keystore,
                event_claims(delivery, issuer=settings.public_url, status_url=status_url, now=now),
                EVENT_TYP,
            )
            response = await self._http.post(
                delivery["url"],
                content=token,
                headers={"Content-Type": "application/secevent+jwt", "Accept": "application/json"},
                max_bytes=MAX_ANSWER_BYTES,
                deadline_seconds=settings.webhook_timeout_seconds,
            )
            status_code = response.status_code
            if 200 <= status_code < 300:
                await outbox.mark_delivered(
                    self._graph, delivery["id"], status_code, datetime.now(UTC)
                )
                telemetry.count_webhook_attempt("delivered")
                log.info(
                    "webhook delivered",
                    extra={"delivery_id": delivery["id"], "platform_id": delivery["platform_id"]},
                )
                return
            error = f"HTTP {status_code}"
        except OutboundError as failure:
            if failure.reason in REFUSALS:
                await outbox.mark_attempt_failed(
                    self._graph,
                    delivery["id"],
                    error=failure.detail,
                    status_code=None,
                    next_attempt_at=None,
                )
                telemetry.count_webhook_attempt("refused")
                return
            error = failure.reason
        attempts = int(delivery["attempts"]) + 1
        next_attempt = None
        if attempts < settings.webhook_max_attempts:
            next_attempt = now + backoff(
                attempts,
                settings.webhook_backoff_base_seconds,
                settings.webhook_backoff_cap_seconds,
            )
        log.warning(
            "webhook attempt failed",
            extra={
                "delivery_id": delivery["id"],
                "attempts": attempts,
                "error": error,
                "gave_up": next_attempt is None,
            },
        )
        await outbox.mark_attempt_failed(
            self._graph,
            delivery["id"],
            error=error,
            status_code=status_code,
            next_attempt_at=next_attempt,
        )
        telemetry.count_webhook_attempt("gave_up" if next_attempt is None else "retrying")
