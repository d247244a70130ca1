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

from neo4j import AsyncManagedTransaction

from auth.keys import KeyStore
from graph import exports, pseudonyms
from graph.audit import AuditActor
from graph.bundle_source import read_for_export
from graph.db import Graph
from graph.errors import ConflictError
from graph.exports import ExportRecord
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


@dataclass(frozen=True)
class _NeedsSelfGrant:
    """The person has no `self` grant covering the scopes yet: make one, then export."""


def consented_scopes(
    grant: dict[str, Any] | None, audience: str, scopes: list[Section] | None
) -> list[Section] | None:
    """The scopes an export to `audience` carries under `grant` (before preferences withhold
    any); None for a person's own download that needs a new `self` grant first. Raises
    ConsentRequiredError when a platform's grant is missing or does not cover `scopes`."""
    if audience == SELF_AUDIENCE:
        mine: list[Section] = sorted(set(scopes or SECTIONS))
        return mine if grant is not None and set(mine) <= set(grant["scopes"]) else None
    if grant is None:
        raise ConsentRequiredError(f"There is no active consent for sharing with {audience!r}.")
    chosen: list[Section] = sorted(set(scopes or grant["scopes"]))
    outside = sorted(set(chosen) - set(grant["scopes"]))
    if outside:
        raise ConsentRequiredError(
            f"The consent for {audience!r} does not cover: {', '.join(outside)}."
        )
    return chosen


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
    """Read, build, sign and record in one write transaction: the grant and the slice in one
    statement, the export record and its audit event in another (which re-checks the consent
    under its lock); nothing is written unless all of it is. A person's first download makes
    their `self` grant (with its receipt) in a transaction of its own before that."""
    now = datetime.now(UTC)
    who = AuditActor(subject=actor, role=actor_role)
    # what to read: for a platform's default (the grant's scopes, not known before reading)
    # every section the preferences allow; what the grant does not cover is dropped unread
    readable = [section for section in sorted(set(scopes or SECTIONS)) if section not in withheld]
    secret = b"" if audience == SELF_AUDIENCE else await pseudonyms.secret(graph)

    async def work(tx: AsyncManagedTransaction) -> ExportResult | _NeedsSelfGrant:
        found = await read_for_export(tx, person_id, readable, audience=audience, now=now)
        consented = consented_scopes(found.grant, audience, scopes)
        if consented is None or found.grant is None:
            return _NeedsSelfGrant()
        chosen = [section for section in consented if section not in withheld]
        pseudonymizer = Pseudonymizer(secret, audience)
        slice_ = pseudonymizer.apply(
            person_id, {section: found.slice[section] for section in chosen}
        )
        reference = ConsentReference(
            consent_id=found.grant["id"],
            receipt=found.grant["receipt"],
            status_url=context.status_url(found.grant["id"]),
        )
        bundle_id = new_id("bdl")
        claims = bundle_claims(
            build_body(slice_, chosen, reference),
            issuer=context.issuer,
            subject=pseudonymizer.of(person_id),
            audience=audience,
            bundle_id=bundle_id,
            now=now,
            ttl=context.bundle_ttl,
        )
        token = sign_document(keystore, claims_json(claims), BUNDLE_TYP)
        await exports.record_export(
            tx,
            ExportRecord(
                id=bundle_id,
                person_id=person_id,
                consent_id=found.grant["id"],
                audience=audience,
                scopes=list(chosen),
                actor=who,
                at=now,
                size_bytes=len(token),
            ),
            handed_out=pseudonymizer.handed_out,
        )
        return ExportResult(
            bundle_id=bundle_id,
            bundle=token,
            audience=audience,
            scopes=chosen,
            expires_at=now + context.bundle_ttl,
        )

    try:
        outcome = await graph.write(work)
        if isinstance(outcome, _NeedsSelfGrant):
            request = GrantRequest(
                person_id=person_id,
                audience=SELF_AUDIENCE,
                scopes=sorted(set(scopes or SECTIONS)),
                purpose=SELF_DOWNLOAD_PURPOSE,
            )
            await grant_with_receipt(graph, keystore, context, request, now=now, actor=who)
            outcome = await graph.write(work)
    except ConflictError as error:
        raise ConsentRequiredError(error.detail) from error
    if isinstance(outcome, _NeedsSelfGrant):  # the new grant was revoked at once
        raise ConsentRequiredError("The consent was revoked while the bundle was being made.")
    return outcome
