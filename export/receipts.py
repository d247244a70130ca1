"""Consent receipts: the record of a grant, after the Kantara Consent Receipt / ISO/IEC 27560 fields,
signed as a JWS (`typ` rolodex-consent-receipt+jwt) so the person and any platform can verify it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auth.keys import KeyStore
from export.documents import RECEIPT_TYP, sign_document

RECEIPT_VERSION = "KI-CR-v1.1.0"


def receipt_claims(
    consent: dict[str, Any],
    *,
    issuer: str,
    controller_name: str,
    policy_url: str,
    status_url: str,
) -> dict[str, Any]:
    granted_at: datetime = consent["granted_at"]
    expires_at: datetime | None = consent.get("expires_at")
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": consent["person_id"],
        "aud": consent["audience"],
        "iat": int(granted_at.timestamp()),
        "nbf": int(granted_at.timestamp()),
        "jti": consent["receipt_id"],
        "receipt": {
            "version": RECEIPT_VERSION,
            "receipt_id": consent["receipt_id"],
            "consent_id": consent["id"],
            "timestamp": granted_at.isoformat(),
            "collection_method": consent["collection_method"],
            "principal": {"id": consent["person_id"]},
            "controller": {"name": controller_name, "url": issuer},
            "purposes": [consent["purpose"]],
            "scopes": list(consent["scopes"]),
            "third_party_audience": consent["audience"],
            "policy": {"url": policy_url, "version": consent["policy_version"]},
            "expiry": expires_at.isoformat() if expires_at else None,
            "status_url": status_url,
        },
    }
    if expires_at is not None:
        claims["exp"] = int(expires_at.timestamp())
    return claims


def sign_receipt(keystore: KeyStore, claims: dict[str, Any]) -> str:
    return sign_document(keystore, claims, RECEIPT_TYP)
