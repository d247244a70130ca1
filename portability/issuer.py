"""What the bundle life cycle needs to know about this instance, as one typed value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class IssuerContext:
    issuer: str  # this instance's public URL: the `iss` of its bundles and receipts
    controller_name: str
    privacy_policy_url: str
    policy_version: str
    bundle_ttl: timedelta

    def status_url(self, consent_id: str) -> str:
        return f"{self.issuer}/v1/consents/{consent_id}/status"
