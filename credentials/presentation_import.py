"""Importing a verified presentation: the disclosed items, merged into the presenter's graph.

The presenter proved possession of the credential's key (the key-binding JWT over a nonce handed
to them), so the items bind to them — never to whoever the credential once named; the holder key
becomes their identity at the issuer (`<iss>|jkt:<RFC 7638 thumbprint>`). Only what was
disclosed is there to merge, and the merge is the bundle importer's (`graph.imports`, with the
same item mapping as `portability.importer`): idempotent by item origin, with provenance
(`source_issuer`, `origin_iss`/`origin_id`, the import record and the audit log), local edits
kept. The nonce is consumed just before the merge, so a presentation applies once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from auth.keys import thumbprint
from credentials import metadata
from credentials.errors import (
    NonceReusedError,
    PresentationHolderOnlyError,
    PresentationTooLargeError,
)
from credentials.verifier import (
    Expectation,
    IssuerKeys,
    Nonces,
    StatusLists,
    VerifiedPresentation,
    verify_presentation,
)
from graph import credentials as store
from graph import imports, platforms
from graph.db import Graph
from graph.ids import new_id
from graph.imports import IdentityRef, ImportActor, ImportPlan
from portability.errors import BindingRequiredError, IssuerUntrustedError
from portability.importer import BundleImporter, Importer, ImportResult
from portability.vocabulary import RECORD_SECTIONS

SCHEMA_VERSION = 2  # disclosed items have the shape of the v2 bundle's items


@dataclass(frozen=True)
class PresentationResult:
    result: ImportResult
    disclosed: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {**self.result.as_dict(), "disclosed": self.disclosed}


@dataclass(frozen=True)
class PresentationImport:
    graph: Graph
    public_url: str
    single_tx_items: int
    max_items: int

    def plan(
        self, verified: VerifiedPresentation, platform_id: str, importer: Importer, now: datetime
    ) -> ImportPlan:
        """The typed plan `graph.imports.merge_bundle` merges, from the disclosed claims only."""
        claims, iss = verified.claims, verified.issuer
        shown = claims.get("profile")
        profile = shown if isinstance(shown, dict) else {}
        fields = {key: profile[key] for key in metadata.PROFILE_FIELDS if key in profile}
        status = claims.get("status", {}).get("status_list", {})
        assert importer.person_id is not None
        return ImportPlan(
            import_id=new_id("imp"),
            replay_key=f"{iss}|kb|{verified.nonce}",
            issuer=iss,
            platform_id=platform_id,
            bundle_id=f"sdjwt-{verified.credential_digest[:32]}",
            at=now,
            scopes=tuple(
                section
                for section in metadata.SECTIONS
                if section in claims and (section != "profile" or fields)
            ),
            schema_version=SCHEMA_VERSION,
            consent_id="holder-presentation",
            status_url=str(status.get("uri")),
            subject=IdentityRef(iss=iss, sub=f"jkt:{thumbprint(verified.holder_jwk)}"),
            importer_person_id=importer.person_id,
            # the holder proved possession of the key the credential is bound to
            vouched_person_id=importer.person_id,
            actor=ImportActor(subject=importer.subject, role=importer.role),
            new_person_id=importer.person_id,
            profile=fields or None,
            contacts=tuple(
                BundleImporter._contact(item, iss, self.public_url, {})
                for item in claims.get("contacts", [])
                if isinstance(item, dict)
            ),
            records=BundleImporter._records(
                {
                    section: [item for item in claims.get(section, []) if isinstance(item, dict)]
                    for section in RECORD_SECTIONS
                },
                iss,
                self.public_url,
            ),
        )

    async def run(
        self, verified: VerifiedPresentation, importer: Importer, *, dry_run: bool, now: datetime
    ) -> PresentationResult:
        assert importer.person_id is not None
        platform = await platforms.find_by_issuer(self.graph, verified.issuer)
        if platform is None:  # verified a moment ago; the registration was withdrawn meanwhile
            raise IssuerUntrustedError("The issuer is no longer registered here.")
        plan = self.plan(verified, platform["id"], importer, now)
        if plan.items > self.max_items:
            raise PresentationTooLargeError(
                f"The presentation discloses more than {self.max_items} items."
            )
        if not dry_run and not await store.consume_nonce(
            self.graph, str(verified.nonce), importer.person_id, now
        ):
            raise NonceReusedError("The nonce was used meanwhile; ask for a fresh one.")
        try:
            report = await imports.merge_bundle(
                self.graph, plan, dry_run=dry_run, single_tx_items=self.single_tx_items
            )
        except imports.ReplayedError as error:
            raise NonceReusedError(error.detail) from error
        except imports.BindingError as error:
            raise BindingRequiredError(error.detail) from error
        result = ImportResult(
            import_id=None if dry_run else plan.import_id,
            status="dry_run" if dry_run else "applied",
            bundle_id=plan.bundle_id,
            issuer=verified.issuer,
            platform_id=platform["id"],
            schema_version=SCHEMA_VERSION,
            report=report,
        )
        return PresentationResult(result=result, disclosed=verified.disclosed)


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

    async def run(
        self, presentation: str, importer: Importer, *, dry_run: bool
    ) -> PresentationResult:
        now = datetime.now(UTC)
        if importer.person_id is None:
            raise PresentationHolderOnlyError(
                "Only the holder imports a presentation, with their own token."
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
