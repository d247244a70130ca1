"""Consent grants with their receipts: the one place a grant is made.

A receipt records the grant after the Kantara Consent Receipt / ISO/IEC 27560 fields and is
signed as a JWS (`typ` rolodex-consent-receipt+jwt), so the person and any platform can verify
it. `grant_with_receipt` builds the grant, signs its receipt and stores both in one transaction
(graph/consents.py); the consents route and the exporter's own-download grant both call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from auth.keys import KeyStore
from graph import consents, pseudonyms
from graph.audit import AuditActor
from graph.db import Graph
from graph.ids import new_id
from graph.values import Row
from portability.documents import RECEIPT_TYP, sign_document
from portability.issuer import IssuerContext
from portability.pseudonyms import Pseudonymizer
from portability.vocabulary import Section

RECEIPT_VERSION = "KI-CR-v1.1.0"
CollectionMethod = Literal["api-explicit", "web-form", "admin-recorded"]


@dataclass(frozen=True)
class GrantRequest:
    person_id: str
    audience: str
    scopes: Sequence[Section]
    purpose: str
    collection_method: CollectionMethod = "api-explicit"
    expires_at: datetime | None = None
    evidence: str | None = None


def receipt_claims(
    consent: dict[str, Any],
    *,
    issuer: str,
    controller_name: str,
    policy_url: str,
    status_url: str,
    subject: str | None = None,
) -> dict[str, Any]:
    """The receipt's JWT claims. `subject` is the person's id as the audience knows it (their
    pairwise id; the local id for `self`)."""
    granted_at: datetime = consent["granted_at"]
    expires_at: datetime | None = consent.get("expires_at")
    sub = subject or consent["person_id"]
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": sub,
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
            "principal": {"id": sub},
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


async def grant_with_receipt(
    graph: Graph,
    keystore: KeyStore,
    context: IssuerContext,
    request: GrantRequest,
    *,
    now: datetime,
    actor: AuditActor,
) -> Row:
    """Make the grant, sign its receipt, store both (with the audit event); return the stored row.

    The receipt names the person as the audience knows them (their pairwise pseudonym; their own
    id for `self`). NotFoundError (graph) for an unknown person; InvalidError for an unknown
    platform audience.
    """
    consent: dict[str, Any] = {
        "id": new_id("cns"),
        "person_id": request.person_id,
        "audience": request.audience,
        "scopes": sorted(set(request.scopes)),
        "purpose": request.purpose,
        "granted_at": now,
        "expires_at": request.expires_at,
        "policy_version": context.policy_version,
        "collection_method": request.collection_method,
        "evidence": request.evidence,
        "receipt_id": new_id("rcp"),
    }
    claims = receipt_claims(
        consent,
        issuer=context.issuer,
        controller_name=context.controller_name,
        policy_url=context.privacy_policy_url,
        status_url=context.status_url(consent["id"]),
        subject=Pseudonymizer(await pseudonyms.secret(graph), request.audience).of(
            request.person_id
        ),
    )
    receipt = sign_document(keystore, claims, RECEIPT_TYP)
    return await consents.grant_consent(graph, {**consent, "receipt": receipt}, actor)
