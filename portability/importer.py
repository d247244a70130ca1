"""The import pipeline: the one verifier, then issuer-specific checks, then an idempotent merge.

1. the issuer is a registered platform (and, for a partner's push, the pusher itself);
2. `portability.verify.verify_bundle`: size, header, depth, the issuer's key by `kid` (inline
   JWKS, or its JWKS URL fetched under the outbound policy of auth/outbound.py, cached,
   refreshed once on an unknown kid — never a key from the token), signature, claims, `aud` (this platform, or `self` for a person's own
   bundle), the consent receipt and its status, the body's JSON Schema;
3. `jti` not seen before from that issuer;
4. the body upgraded to the current schema version and turned into a typed `ImportPlan`;
5. the merge (graph/imports.py), or with `dry_run` the same report and no writes.

Any failure raises the `PortabilityError` that names it, and nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auth.jwks_client import JwksCache, JwksFetchError, parse_jwks
from auth.outbound import OutboundClient
from graph import imports, platforms, pseudonyms
from graph.db import Graph
from graph.ids import new_id
from graph.imports import (
    IdentityRef,
    ImportActor,
    ImportedContact,
    ImportedRecord,
    ImportPlan,
    MergeReport,
)
from portability.bundle.contacts import from_item
from portability.bundle.upgrade import upgrade
from portability.errors import (
    BindingRequiredError,
    BundleReplayedError,
    BundleTooLargeError,
    IssuerUntrustedError,
    KeyNotFoundError,
    PortabilityError,
)
from portability.verify import (
    HttpStatus,
    KeyLookup,
    VerifiedBundle,
    peek_claims,
    read_header,
    verify_bundle,
)
from portability.vocabulary import RECORD_SECTIONS, SELF_AUDIENCE

log = logging.getLogger("rolodex.imports")

PROFILE_KEYS = ("display_name", "headline", "skills", "interests", "languages", "timezone", "roles")


@dataclass(frozen=True)
class ImportSettings:
    platform_id: str  # this instance's id at its partners: the `aud` of bundles meant for us
    public_url: str  # this instance's issuer URL
    max_bytes: int
    max_items: int
    single_tx_items: int


@dataclass(frozen=True)
class Importer:
    """Who pushes the bundle: a partner platform client, or a person importing their own."""

    person_id: str | None = None
    platform_id: str | None = None
    subject: str | None = None  # the token subject, for the audit log
    role: str = "system"


@dataclass(frozen=True)
class ImportResult:
    import_id: str | None
    status: str  # applied | dry_run
    bundle_id: str
    issuer: str
    platform_id: str
    schema_version: int
    report: MergeReport

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "status": self.status,
            "bundle_id": self.bundle_id,
            "issuer": self.issuer,
            "platform_id": self.platform_id,
            "schema_version": self.schema_version,
            **self.report.as_dict(),
        }


def local_id(prefix: str, iss: str, item_id: str) -> str:
    """A stable local id for an item that came from elsewhere (same origin → same id)."""
    digest = hashlib.sha256(f"{iss}|{item_id}".encode()).digest()
    return f"{prefix}_{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()[:22]}"


class BundleImporter:
    def __init__(
        self, graph: Graph, http: OutboundClient, jwks: JwksCache, settings: ImportSettings
    ) -> None:
        self._graph = graph
        self._jwks = jwks
        self._settings = settings
        self._status = HttpStatus(http)

    async def run(self, token: str, importer: Importer, *, dry_run: bool) -> ImportResult:
        try:
            return await self._run(token, importer, dry_run=dry_run)
        except PortabilityError as error:
            log.warning(
                "import rejected",
                extra={
                    "problem": error.slug,
                    "importer_platform": importer.platform_id,
                    "dry_run": dry_run,
                },
            )
            raise

    async def _run(self, token: str, importer: Importer, *, dry_run: bool) -> ImportResult:
        settings = self._settings
        now = datetime.now(UTC)
        read_header(token, settings.max_bytes)
        peeked = peek_claims(token)
        issuer = peeked.get("iss")
        platform = (
            await platforms.find_by_issuer(self._graph, issuer) if isinstance(issuer, str) else None
        )
        if platform is None:
            raise IssuerUntrustedError(f"Issuer {issuer!r} is not a registered platform here.")
        if importer.platform_id is not None and importer.platform_id != platform["id"]:
            raise IssuerUntrustedError("A platform may push only the bundles it issued itself.")
        audiences = {settings.platform_id} | ({SELF_AUDIENCE} if importer.person_id else set())
        verified = await verify_bundle(
            token,
            self._key_lookup(platform),
            now=now,
            audiences=audiences,
            issuer=platform["issuer"],
            status_of=self._status,
            max_bytes=settings.max_bytes,
            peeked=peeked,
        )
        claims = verified.claims
        replay_key = f"{platform['issuer']}|{claims['jti']}"
        if await imports.find_replay(self._graph, replay_key):
            raise BundleReplayedError(
                "This bundle was imported before; ask the issuer for a fresh one."
            )
        vouched = await self._vouched(verified, platform, importer)
        returning = await self._returning(verified, platform)
        plan = self._plan(verified, platform, importer, replay_key, now, vouched, returning)
        if plan.items > settings.max_items:
            raise BundleTooLargeError(
                f"The bundle holds {plan.items} items; the limit is {settings.max_items}."
            )
        try:
            report = await imports.merge_bundle(
                self._graph, plan, dry_run=dry_run, single_tx_items=settings.single_tx_items
            )
        except imports.ReplayedError as error:
            raise BundleReplayedError(error.detail) from error
        except imports.BindingError as error:
            raise BindingRequiredError(error.detail) from error
        log.info(
            "import applied" if not dry_run else "import dry run",
            extra={"platform_id": platform["id"], "items": plan.items},
        )
        return ImportResult(
            import_id=None if dry_run else plan.import_id,
            status="dry_run" if dry_run else "applied",
            bundle_id=claims["jti"],
            issuer=platform["issuer"],
            platform_id=platform["id"],
            schema_version=verified.version,
            report=report,
        )

    async def _vouched(
        self, verified: VerifiedBundle, platform: Mapping[str, Any], importer: Importer
    ) -> str | None:
        """The uploading person, when the bundle carries the pairwise id this instance gave this
        very issuer for them (their account there came from their own export here)."""
        if importer.person_id is None:
            return None
        profile = verified.body.get("profile") or {}
        ours = [
            str(i.get("sub"))
            for i in profile.get("identities", [])
            if isinstance(i, dict) and i.get("iss") == self._settings.public_url
        ]
        mapped = await pseudonyms.resolve(self._graph, platform["id"], ours)
        return importer.person_id if importer.person_id in mapped.values() else None

    async def _returning(
        self, verified: VerifiedBundle, platform: Mapping[str, Any]
    ) -> dict[str, str]:
        """Pairwise ids this instance gave this issuer that come back as contact origins: the
        local ids behind them (contacts who are people here)."""
        ours = self._settings.public_url
        ids = [
            str(origin["id"])
            for contact in verified.body.get("contacts", [])
            if isinstance(origin := contact.get("origin"), dict) and origin.get("iss") == ours
        ]
        return await pseudonyms.resolve(self._graph, platform["id"], ids)

    def _key_lookup(self, platform: Mapping[str, Any]) -> KeyLookup:
        async def find(kid: str) -> dict[str, Any] | None:
            if platform.get("jwks"):
                return parse_jwks(platform["jwks"]).get(kid)
            if not platform.get("jwks_url"):
                return None
            try:
                return await self._jwks.find(platform["jwks_url"], kid)
            except JwksFetchError as error:
                raise KeyNotFoundError(
                    f"The issuer's keys could not be fetched: {error}"
                ) from error

        return find

    def _plan(
        self,
        verified: VerifiedBundle,
        platform: Mapping[str, Any],
        importer: Importer,
        replay_key: str,
        now: datetime,
        vouched: str | None,
        returning: dict[str, str],
    ) -> ImportPlan:
        """Turn the verified claims, upgraded to the current schema, into the typed plan."""
        claims = upgrade(verified.claims, verified.version)
        iss, sub, body = platform["issuer"], claims["sub"], claims["rolodex"]
        ours = self._settings.public_url
        profile = body.get("profile") or {}
        warnings: list[str] = []
        if "preferences" in body:
            warnings.append(
                "Preferences are never imported: sharing choices are made here, by the person."
            )
        assert verified.consent is not None
        return ImportPlan(
            import_id=new_id("imp"),
            replay_key=replay_key,
            issuer=iss,
            platform_id=platform["id"],
            bundle_id=claims["jti"],
            at=now,
            scopes=tuple(body.get("scopes", [])),
            schema_version=verified.version,
            consent_id=verified.consent.consent_id,
            status_url=verified.consent.status_url,
            subject=IdentityRef(iss=iss, sub=sub),
            importer_person_id=importer.person_id,
            vouched_person_id=vouched,
            actor=ImportActor(subject=importer.subject, role=importer.role),
            new_person_id=local_id("per", iss, sub),
            profile={key: profile[key] for key in PROFILE_KEYS if key in profile}
            if profile
            else None,
            contacts=tuple(
                self._contact(c, iss, ours, returning) for c in body.get("contacts", [])
            ),
            records=self._records(body, iss, ours),
            warnings=tuple(warnings),
        )

    @staticmethod
    def _contact(
        contact: dict[str, Any], iss: str, ours: str, returning: dict[str, str]
    ) -> ImportedContact:
        origin = contact.get("origin") or {"iss": iss, "id": contact["id"]}
        is_ours = origin["iss"] == ours
        return ImportedContact(
            id=returning.get(origin["id"], origin["id"])
            if is_ours
            else local_id("ctc", origin["iss"], origin["id"]),
            ours=is_ours,
            fields=from_item(contact),
            origin_iss=origin["iss"],
            origin_id=origin["id"],
        )

    @staticmethod
    def _records(body: dict[str, Any], iss: str, ours: str) -> tuple[ImportedRecord, ...]:
        """Mentorships, sessions and measurements with their provenance; a session's
        `mentorship_id` is rewritten to the local id its mentorship gets here."""

        def local(item: dict[str, Any]) -> tuple[str, str, bool]:
            origin = item.get("origin") or {"iss": iss, "id": item["id"]}
            is_ours = origin["iss"] == ours
            return (
                origin["id"] if is_ours else local_id("ext", origin["iss"], origin["id"]),
                origin["iss"],
                is_ours,
            )

        mentorship_ids = {m["id"]: local(m)[0] for m in body.get("mentorships", [])}
        records: list[ImportedRecord] = []
        for section in RECORD_SECTIONS:
            for item in body.get(section, []):
                record_id, origin_iss, is_ours = local(item)
                data = {key: value for key, value in item.items() if key != "origin"}
                if section == "sessions" and data.get("mentorship_id") in mentorship_ids:
                    data["mentorship_id"] = mentorship_ids[data["mentorship_id"]]
                origin = item.get("origin") or {"iss": iss, "id": item["id"]}
                records.append(
                    ImportedRecord(
                        id=record_id,
                        kind=section,
                        data=json.dumps(data, sort_keys=True),
                        origin_iss=origin_iss,
                        origin_id=origin["id"],
                        ours=is_ours,
                    )
                )
        return tuple(records)
