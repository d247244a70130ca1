"""Importing a verified presentation: the disclosed items, merged into the presenter's graph.

The presenter proved possession of the credential's key (the key-binding JWT over a nonce handed
to them), so the items bind to them — never to whoever the credential once named. Only what was
disclosed is there to merge; the merge itself is the bundle importer's (`graph.imports`):
idempotent by item origin, with provenance (`source_issuer`, `origin_iss`/`origin_id`), local
edits kept. The nonce is consumed just before the merge, so a presentation applies once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from credentials import metadata
from credentials.verifier import (
    Expectation,
    IssuerKeys,
    Nonces,
    PresentationError,
    StatusLists,
    VerifiedPresentation,
    verify_presentation,
)
from export.importer import BundleImporter, Importer
from graph import credentials as store
from graph import imports, platforms
from graph.db import Graph
from graph.ids import new_id

RECORD_SECTIONS = ("mentorships", "sessions", "outcomes")


@dataclass(frozen=True)
class PresentationImport:
    graph: Graph
    public_url: str
    single_tx_items: int
    max_items: int

    def prepare(
        self, verified: VerifiedPresentation, platform_id: str, importer: Importer, now: datetime
    ) -> dict[str, Any]:
        """The rows `graph.imports.merge_bundle` merges, from the disclosed claims only."""
        claims, iss = verified.claims, verified.issuer
        profile = claims.get("profile") if isinstance(claims.get("profile"), dict) else {}
        assert isinstance(profile, dict)
        shown_profile = {key: profile[key] for key in metadata.PROFILE_FIELDS if key in profile}
        shown_profile.pop("roles", None)
        contacts = [
            BundleImporter._contact(item, iss, self.public_url)  # the bundle importer's mapping
            for item in claims.get("contacts", [])
            if isinstance(item, dict)
        ]
        records = [
            BundleImporter._record(section, item, iss)
            for section in RECORD_SECTIONS
            for item in claims.get(section, [])
            if isinstance(item, dict)
        ]
        sections = [
            s for s in metadata.SECTIONS if s in claims and (s != "profile" or shown_profile)
        ]
        status = claims.get("status", {}).get("status_list", {})
        return {
            "import_id": new_id("imp"),
            "replay_key": f"{iss}|kb|{verified.nonce}",
            "issuer": iss,
            "platform_id": platform_id,
            "bundle_id": f"sdjwt-{verified.credential_digest[:32]}",
            "at": now,
            "scopes": sections,
            "consent": {"consent_id": "holder-presentation", "status_url": str(status.get("uri"))},
            "identities": [],
            "local_person_id": None,
            "importer_person_id": importer.person_id,
            "actor": {"subject": importer.subject, "role": importer.role},
            "new_person_id": importer.person_id,
            "profile": shown_profile or None,
            "contacts": contacts,
            "records": records,
            "warnings": [],
            "items": len(contacts) + len(records) + (1 if shown_profile else 0),
            "schema_version": 2,
        }

    async def run(
        self, verified: VerifiedPresentation, importer: Importer, *, dry_run: bool, now: datetime
    ) -> dict[str, Any]:
        if importer.person_id is None:
            raise PresentationError(
                "presentation-holder-only",
                "Only the holder imports a presentation, with their own token.",
            )
        platform = await platforms.find_by_issuer(self.graph, verified.issuer)
        if platform is None:  # verified a moment ago; the registration was withdrawn meanwhile
            raise PresentationError("issuer-untrusted", "The issuer is no longer registered here.")
        bundle = self.prepare(verified, platform["id"], importer, now)
        if bundle["items"] > self.max_items:
            raise PresentationError(
                "presentation-too-large",
                f"The presentation discloses more than {self.max_items} items.",
            )
        if not dry_run and not await store.consume_nonce(
            self.graph, str(verified.nonce), importer.person_id, now
        ):
            raise PresentationError(
                "nonce-reused", "The nonce was used meanwhile; ask for a fresh one."
            )
        try:
            report = await imports.merge_bundle(
                self.graph, bundle, dry_run=dry_run, single_tx_items=self.single_tx_items
            )
        except imports.ReplayedError as error:
            raise PresentationError("nonce-reused", error.detail) from error
        except imports.IdentityConflictError as error:
            raise PresentationError("identity-conflict", error.detail) from error
        return {
            "import_id": None if dry_run else bundle["import_id"],
            "status": "dry_run" if dry_run else "applied",
            "bundle_id": bundle["bundle_id"],
            "issuer": verified.issuer,
            "platform_id": platform["id"],
            "schema_version": 2,
            "disclosed": verified.disclosed,
            **report,
        }


@dataclass(frozen=True)
class PresentationPipeline:
    """`POST /v1/imports` with `{"presentation": …}`: verify, then import what was disclosed."""

    importer: PresentationImport
    keys: IssuerKeys
    nonces: Nonces
    status_lists: StatusLists
    audience: str
    max_bytes: int
    max_age: timedelta

    async def run(self, presentation: str, importer: Importer, *, dry_run: bool) -> dict[str, Any]:
        now = datetime.now(UTC)
        if importer.person_id is None:
            raise PresentationError(
                "presentation-holder-only",
                "Only the holder imports a presentation, with their own token.",
            )
        verified = await verify_presentation(
            presentation,
            keys=self.keys,
            nonces=self.nonces,
            status_lists=self.status_lists,
            expect=Expectation(
                audience=self.audience,
                nonce=None,
                person_id=importer.person_id,
                max_age=self.max_age,
            ),
            max_bytes=self.max_bytes,
            now=now,
        )
        return await self.importer.run(verified, importer, dry_run=dry_run, now=now)
