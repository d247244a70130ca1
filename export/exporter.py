"""Make a person's bundle: decide what consent covers it, read the slice, sign, record.

Who may export what (the router has authenticated the caller):
- the person, for `self`: any scopes of their own data, under their own `self` grant (made on
  the spot, with a receipt, when none covers the scopes);
- the person, for a platform: within an active grant to that platform;
- a partner (`bundles:read`): only for its own platform, within an active grant.
Anything outside a grant is refused with `consent-required`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from auth.keys import KeyStore
from export.build import build_body, bundle_claims, claims_json
from export.documents import BUNDLE_TYP, sign_document
from export.models import ConsentReference
from export.receipts import receipt_claims, sign_receipt
from graph import consents, exports
from graph.audit import AuditActor
from graph.bundle_source import read_slice
from graph.consents import SELF_AUDIENCE
from graph.db import Graph
from graph.ids import new_id

ALL_SCOPES = ("contacts", "mentorships", "outcomes", "preferences", "profile", "sessions")
SELF_DOWNLOAD_PURPOSE = "Download of my own portable profile"


class ConsentRequiredError(Exception):
    """No active grant covers the requested audience and scopes."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class IssuerContext:
    """What the exporter needs to know about this instance."""

    issuer: str
    controller_name: str
    privacy_policy_url: str
    policy_version: str
    bundle_ttl: timedelta

    def status_url(self, consent_id: str) -> str:
        return f"{self.issuer}/v1/consents/{consent_id}/status"


@dataclass(frozen=True)
class ExportResult:
    bundle_id: str
    bundle: str
    audience: str
    scopes: list[str]
    expires_at: datetime


async def _self_grant(
    graph: Graph,
    keystore: KeyStore,
    context: IssuerContext,
    person_id: str,
    scopes: list[str],
    now: datetime,
    actor: AuditActor,
) -> dict[str, Any]:
    current = await consents.active_grant(graph, person_id, SELF_AUDIENCE, now)
    if current is not None and set(scopes) <= set(current["scopes"]):
        return current
    consent: dict[str, Any] = {
        "id": new_id("cns"),
        "person_id": person_id,
        "audience": SELF_AUDIENCE,
        "scopes": sorted(scopes),
        "purpose": SELF_DOWNLOAD_PURPOSE,
        "granted_at": now,
        "expires_at": None,
        "policy_version": context.policy_version,
        "collection_method": "api-explicit",
        "evidence": None,
        "receipt_id": new_id("rcp"),
    }
    claims = receipt_claims(
        consent,
        issuer=context.issuer,
        controller_name=context.controller_name,
        policy_url=context.privacy_policy_url,
        status_url=context.status_url(consent["id"]),
    )
    return await consents.grant_consent(
        graph, {**consent, "receipt": sign_receipt(keystore, claims)}, actor
    )


async def resolve_consent(
    graph: Graph,
    keystore: KeyStore,
    context: IssuerContext,
    *,
    person_id: str,
    audience: str,
    scopes: list[str] | None,
    now: datetime,
    actor: AuditActor,
) -> tuple[dict[str, Any], list[str]]:
    """The grant the export happens under, and the scopes it will carry."""
    if audience == SELF_AUDIENCE:
        chosen = sorted(set(scopes or ALL_SCOPES))
        own = await _self_grant(graph, keystore, context, person_id, chosen, now, actor)
        return own, chosen
    grant = await consents.active_grant(graph, person_id, audience, now)
    if grant is None:
        raise ConsentRequiredError(f"There is no active consent for sharing with {audience!r}.")
    chosen = sorted(set(scopes or grant["scopes"]))
    outside = sorted(set(chosen) - set(grant["scopes"]))
    if outside:
        raise ConsentRequiredError(
            f"The consent for {audience!r} does not cover: {', '.join(outside)}."
        )
    return grant, chosen


async def export_bundle(
    graph: Graph,
    keystore: KeyStore,
    context: IssuerContext,
    *,
    person_id: str,
    audience: str,
    scopes: list[str] | None,
    actor: str,
    actor_role: str,
) -> ExportResult:
    now = datetime.now(UTC)
    grant, chosen = await resolve_consent(
        graph,
        keystore,
        context,
        person_id=person_id,
        audience=audience,
        scopes=scopes,
        now=now,
        actor=AuditActor(subject=actor, role=actor_role),
    )
    slice_ = await read_slice(graph, person_id, chosen)
    reference = ConsentReference(
        consent_id=grant["id"], receipt=grant["receipt"], status_url=context.status_url(grant["id"])
    )
    bundle_id = new_id("bdl")
    claims = bundle_claims(
        build_body(slice_, chosen, reference),
        issuer=context.issuer,
        subject=person_id,
        audience=audience,
        bundle_id=bundle_id,
        now=now,
        ttl=context.bundle_ttl,
    )
    token = sign_document(keystore, claims_json(claims), BUNDLE_TYP)
    await exports.record_export(
        graph,
        {
            "id": bundle_id,
            "person_id": person_id,
            "consent_id": grant["id"],
            "audience": audience,
            "scopes": chosen,
            "actor": actor,
            "actor_role": actor_role,
            "at": now,
            "size_bytes": len(token),
        },
    )
    return ExportResult(
        bundle_id=bundle_id,
        bundle=token,
        audience=audience,
        scopes=chosen,
        expires_at=now + context.bundle_ttl,
    )
