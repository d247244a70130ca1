"""Make a person's bundle: decide what consent covers it, read the slice, sign, record.

Who may export what (the router has authenticated the caller):
- the person, for `self`: any scopes of their own data, under their own `self` grant (made on
  the spot, with a receipt, when none covers the scopes);
- the person, for a platform: within an active grant to that platform;
- a partner (`bundles:read`): only for its own platform, within an active grant.
Anything outside a grant is refused with `consent-required`.

What goes out is exactly the sections that are both consented and allowed by the person's
effective preferences for that audience (`withheld`: e.g. `share_contacts=false` withholds
`contacts`); the bundle's `scopes` name them. For a platform, every local person id is replaced by
its pairwise pseudonym (portability/pseudonyms.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auth.keys import KeyStore
from graph import consents, exports, pseudonyms
from graph.audit import AuditActor
from graph.bundle_source import read_slice
from graph.db import Graph
from graph.errors import ConflictError
from graph.ids import new_id
from portability.bundle.build import build_body, bundle_claims, claims_json
from portability.bundle.models import ConsentReference
from portability.consent import GrantRequest, grant_with_receipt
from portability.documents import BUNDLE_TYP, sign_document
from portability.errors import ConsentRequiredError
from portability.issuer import IssuerContext
from portability.pseudonyms import Pseudonymizer
from portability.vocabulary import SECTIONS, SELF_AUDIENCE, Section

SELF_DOWNLOAD_PURPOSE = "Download of my own portable profile"


@dataclass(frozen=True)
class ExportResult:
    bundle_id: str
    bundle: str
    audience: str
    scopes: list[Section]
    expires_at: datetime


async def _self_grant(
    graph: Graph,
    keystore: KeyStore,
    context: IssuerContext,
    person_id: str,
    scopes: list[Section],
    now: datetime,
    actor: AuditActor,
) -> dict[str, Any]:
    current = await consents.active_grant(graph, person_id, SELF_AUDIENCE, now)
    if current is not None and set(scopes) <= set(current["scopes"]):
        return current
    request = GrantRequest(
        person_id=person_id, audience=SELF_AUDIENCE, scopes=scopes, purpose=SELF_DOWNLOAD_PURPOSE
    )
    return await grant_with_receipt(graph, keystore, context, request, now=now, actor=actor)


async def resolve_consent(
    graph: Graph,
    keystore: KeyStore,
    context: IssuerContext,
    *,
    person_id: str,
    audience: str,
    scopes: list[Section] | None,
    now: datetime,
    actor: AuditActor,
) -> tuple[dict[str, Any], list[Section]]:
    """The grant the export happens under, and the scopes it will carry."""
    if audience == SELF_AUDIENCE:
        mine = sorted(set(scopes or SECTIONS))
        own = await _self_grant(graph, keystore, context, person_id, mine, now, actor)
        return own, mine
    grant = await consents.active_grant(graph, person_id, audience, now)
    if grant is None:
        raise ConsentRequiredError(f"There is no active consent for sharing with {audience!r}.")
    chosen: list[Section] = sorted(set(scopes or grant["scopes"]))
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
    scopes: list[Section] | None,
    actor: str,
    actor_role: str,
    withheld: frozenset[Section] = frozenset(),
) -> ExportResult:
    now = datetime.now(UTC)
    grant, consented = await resolve_consent(
        graph,
        keystore,
        context,
        person_id=person_id,
        audience=audience,
        scopes=scopes,
        now=now,
        actor=AuditActor(subject=actor, role=actor_role),
    )
    chosen = [section for section in consented if section not in withheld]
    pseudonymizer = Pseudonymizer(await pseudonyms.secret(graph), audience)
    slice_ = pseudonymizer.apply(person_id, await read_slice(graph, person_id, chosen))
    subject = pseudonymizer.of(person_id)
    reference = ConsentReference(
        consent_id=grant["id"], receipt=grant["receipt"], status_url=context.status_url(grant["id"])
    )
    bundle_id = new_id("bdl")
    claims = bundle_claims(
        build_body(slice_, chosen, reference),
        issuer=context.issuer,
        subject=subject,
        audience=audience,
        bundle_id=bundle_id,
        now=now,
        ttl=context.bundle_ttl,
    )
    token = sign_document(keystore, claims_json(claims), BUNDLE_TYP)
    try:
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
            handed_out=pseudonymizer.handed_out,
        )
    except ConflictError as error:
        raise ConsentRequiredError(error.detail) from error
    return ExportResult(
        bundle_id=bundle_id,
        bundle=token,
        audience=audience,
        scopes=chosen,
        expires_at=now + context.bundle_ttl,
    )
