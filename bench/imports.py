"""Import benchmarks: bundles of 100, 1,000 and 10,000 contacts pushed by a partner platform
(`POST /v1/imports` with an `imports:write` partner token), fresh, then re-imported unchanged.

The partner is the test suite's fake partner (its own keys and a loopback server publishing its
JWKS and consent statuses), registered once by an operator. Every bundle has a fresh `jti`; each
size has its own subject, so the fresh import creates everything and the re-imports change
nothing. Each call must answer 201 with the counts of created / unchanged contacts expected.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from auth.keys import KeyStore
from bench.api import BASE_URL, partner_token
from bench.checks import expect, expect_samples, expect_size
from bench.common import percentiles
from tests.support.fake_partner import FakePartner

IMPORTS = "/v1/imports"
SIZES = (100, 1_000, 10_000)
PLATFORM = "bench-partner"


def import_bundles(
    keys: KeyStore, operator_token: str, sizes: tuple[int, ...] = SIZES, repeat: int = 5
) -> dict[str, Any]:
    """Per size: the fresh import's time, and p50/p99 of `repeat` unchanged re-imports."""
    partner = FakePartner(PLATFORM)
    results: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=BASE_URL, timeout=600) as client:
            registered = client.post(
                "/v1/admin/platforms",
                json=partner.registration(),
                headers={"Authorization": f"Bearer {operator_token}"},
            )
            if registered.status_code != 409:  # registered by an earlier size of this run
                expect(registered, 201, "register the bench partner")
            headers = {
                "Authorization": f"Bearer {partner_token(keys, PLATFORM, ('imports:write',))}",
                "Content-Type": "application/jose",
            }
            stamp = time.time_ns()
            for size in sizes:
                subject = f"bench-{size}-{stamp}"

                def push(jti: str, size: int = size, subject: str = subject) -> tuple[float, Any]:
                    body = partner.body_v2(
                        subject=subject,
                        audience="rolodex",
                        scopes=["profile", "contacts"],
                        contacts=size,
                    )
                    for contact in body["contacts"]:  # item ids are the issuer's: one per size
                        contact["id"] = f"{subject}-{contact['id']}"
                    bundle = partner.bundle(body, subject=subject, audience="rolodex", jti=jti)
                    started = time.perf_counter()
                    response = client.post(IMPORTS, content=bundle, headers=headers)
                    elapsed = time.perf_counter() - started
                    return elapsed, expect(response, 201, f"import of {size} contacts")

                fresh_seconds, report = push(f"bdl-{size}-{stamp}-fresh")
                expect_size(report["created"].get("contacts", 0), size, "fresh import created")
                again: list[float] = []
                for n in range(repeat):
                    seconds, report = push(f"bdl-{size}-{stamp}-again{n}")
                    expect_size(report["unchanged"].get("contacts", 0), size, "re-import unchanged")
                    again.append(seconds)
                expect_samples(again, f"re-import of {size}")
                results[str(size)] = {
                    "items": size,
                    "fresh_ms": round(fresh_seconds * 1000, 1),
                    "reimport_unchanged": percentiles(again),
                }
    finally:
        partner.close()
    return results
