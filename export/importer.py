"""The import pipeline: every check of the brief, in its order, then an idempotent merge.

1. size cap, then the header alone: `typ`, pinned `alg`, no `crit`, a `kid`; JSON depth guard;
2. the issuer is a registered platform; its key by `kid` (inline JWKS, or its JWKS URL fetched
   through the outbound policy of auth/outbound.py, cached, refreshed once on an unknown kid) — never a key from the token;
3. signature, then `iss` / `aud` (this platform, or `self` for a person's own bundle) / `nbf` /
   `exp` / `iat`;
4. `jti` not seen before from that issuer;
5. the consent receipt: signed by the issuer, about the same person and audience, unexpired,
   its scopes covering every section present, and still `active` at its status URL;
6. the body against the JSON Schema of its declared version, then upgraded to the current one;
7. the merge (graph/imports.py), or with `dry_run` the same report and no writes.

Any failure raises `BundleError` with its own problem slug, and nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from auth import jws
from auth.jwks_client import JwksCache, JwksFetchError, parse_jwks
from auth.outbound import OutboundClient, OutboundError, OutboundUrlError, same_origin
from export.documents import RECEIPT_TYP
from export.upgrade import upgrade
from export.verify import (
    BundleError,
    check_body,
    peek_claims,
    read_header,
    verify_signature_and_claims,
)
from graph import imports, platforms
from graph.db import Graph
from graph.ids import new_id

log = logging.getLogger("rolodex.imports")

SECTIONS = ("profile", "contacts", "mentorships", "sessions", "outcomes", "preferences")
RECORD_SECTIONS = ("mentorships", "sessions", "outcomes")
PROFILE_KEYS = ("display_name", "headline", "skills", "interests", "languages", "timezone", "roles")
MAX_STATUS_BYTES = 16 * 1024


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


def local_id(prefix: str, iss: str, item_id: str) -> str:
    """A stable local id for an item that came from elsewhere (same origin → same id)."""
    digest = hashlib.sha256(f"{iss}|{item_id}".encode()).digest()
    return f"{prefix}_{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()[:22]}"


class BundleImporter:
    def __init__(
        self, graph: Graph, http: OutboundClient, jwks: JwksCache, settings: ImportSettings
    ) -> None:
        self._graph = graph
        self._http = http
        self._jwks = jwks
        self._settings = settings

    async def run(self, token: str, importer: Importer, *, dry_run: bool) -> dict[str, Any]:
        try:
            return await self._run(token, importer, dry_run=dry_run)
        except BundleError as error:
            log.warning(
                "import rejected",
                extra={
                    "problem": error.code,
                    "importer_platform": importer.platform_id,
                    "dry_run": dry_run,
                },
            )
            raise

    async def _run(self, token: str, importer: Importer, *, dry_run: bool) -> dict[str, Any]:
        settings = self._settings
        now = datetime.now(UTC)
        # 1. size, header, depth
        header = read_header(token, settings.max_bytes)
        unverified = peek_claims(token)
        # 2. trusted issuer and its key
        issuer = unverified.get("iss")
        platform = (
            await platforms.find_by_issuer(self._graph, issuer) if isinstance(issuer, str) else None
        )
        if platform is None:
            raise BundleError(
                "issuer-untrusted", f"Issuer {issuer!r} is not a registered platform here."
            )
        if importer.platform_id is not None and importer.platform_id != platform["id"]:
            raise BundleError(
                "issuer-untrusted", "A platform may push only the bundles it issued itself."
            )
        key = await self._key(platform, header.kid)
        # 3. signature and claims
        claims = verify_signature_and_claims(
            token, header, key, issuer=platform["issuer"], audience=None, now=now
        )
        allowed = {settings.platform_id} | ({"self"} if importer.person_id else set())
        if claims.get("aud") not in allowed:
            raise BundleError(
                "audience-mismatch",
                f"The bundle is meant for {claims.get('aud')!r}, not this platform.",
            )
        # 4. replay
        replay_key = f"{platform['issuer']}|{claims['jti']}"
        if await imports.find_replay(self._graph, replay_key):
            raise BundleError(
                "bundle-replayed",
                "This bundle was imported before; ask the issuer for a fresh one.",
            )
        # 5. consent
        consent = await self._check_consent(claims, platform, now)
        # 6. schema, then upgrade
        version = check_body(claims)
        current = upgrade(claims, version)
        bundle = self._prepare(current, platform, importer, consent, replay_key, now)
        bundle["schema_version"] = version
        if bundle["items"] > settings.max_items:
            raise BundleError(
                "bundle-too-large",
                f"The bundle holds {bundle['items']} items; the limit is {settings.max_items}.",
            )
        # 7. merge
        try:
            report = await imports.merge_bundle(
                self._graph, bundle, dry_run=dry_run, single_tx_items=settings.single_tx_items
            )
        except imports.ReplayedError as error:
            raise BundleError("bundle-replayed", error.detail) from error
        except imports.IdentityConflictError as error:
            raise BundleError("identity-conflict", error.detail) from error
        log.info(
            "import applied" if not dry_run else "import dry run",
            extra={"platform_id": platform["id"], "items": bundle["items"]},
        )
        return {
            "import_id": None if dry_run else bundle["import_id"],
            "status": "dry_run" if dry_run else "applied",
            "bundle_id": claims["jti"],
            "issuer": platform["issuer"],
            "platform_id": platform["id"],
            "schema_version": version,
            **report,
        }

    async def _key(self, platform: dict[str, Any], kid: str) -> dict[str, Any] | None:
        if platform.get("jwks"):
            return parse_jwks(platform["jwks"]).get(kid)
        if not platform.get("jwks_url"):
            return None
        try:
            return await self._jwks.find(platform["jwks_url"], kid)
        except JwksFetchError as error:
            raise BundleError(
                "key-not-found", f"The issuer's keys could not be fetched: {error}"
            ) from error

    async def _check_consent(
        self, claims: dict[str, Any], platform: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        body = claims.get("rolodex")
        if not isinstance(body, dict):
            raise BundleError("bundle-malformed", "The bundle carries no body.")
        version = body.get("version")
        consent: dict[str, Any]
        if version == 1:
            consent = {
                "consent_id": body.get("consent_id"),
                "receipt": body.get("consent_receipt"),
                "status_url": body.get("status_url"),
            }
        else:
            consent = body["consent"] if isinstance(body.get("consent"), dict) else {}
        receipt, status_url = consent.get("receipt"), consent.get("status_url")
        if not isinstance(receipt, str) or not isinstance(status_url, str):
            raise BundleError(
                "consent-missing", "The bundle carries no consent receipt and status URL."
            )
        try:
            receipt_header = jws.read_header(receipt, typ=RECEIPT_TYP, max_bytes=16 * 1024)
        except jws.JwsError as error:
            raise BundleError(
                "consent-invalid", f"The consent receipt is not valid: {error.description}"
            ) from error
        receipt_key = await self._key(platform, receipt_header.kid)
        if receipt_key is None:
            raise BundleError("consent-invalid", "The consent receipt is not signed by the issuer.")
        try:
            receipt_claims = jws.verify_signature(receipt, receipt_key)
            jws.check_claims(
                receipt_claims,
                issuer=platform["issuer"],
                audience=None,
                required=("sub", "aud", "jti", "receipt"),
                now=now,
            )
        except jws.JwsError as error:
            if error.code == "expired":
                raise BundleError(
                    "consent-revoked", "The consent this bundle was exported under has expired."
                ) from error
            raise BundleError(
                "consent-invalid", f"The consent receipt does not verify: {error.description}"
            ) from error
        if receipt_claims["sub"] != claims["sub"] or receipt_claims["aud"] != claims["aud"]:
            raise BundleError(
                "consent-invalid", "The consent receipt is about another person or audience."
            )
        granted = (
            set(receipt_claims["receipt"].get("scopes", []))
            if isinstance(receipt_claims["receipt"], dict)
            else set()
        )
        declared = set(body.get("scopes", [])) if isinstance(body.get("scopes"), list) else set()
        present = {section for section in SECTIONS if section in body}
        outside = sorted((declared | present) - granted)
        if outside:
            raise BundleError(
                "scope-not-granted", f"The consent does not cover: {', '.join(outside)}."
            )
        undeclared = sorted(present - declared)
        if undeclared:
            raise BundleError(
                "scope-not-granted",
                f"The bundle carries sections it does not declare: {', '.join(undeclared)}.",
            )
        state = await self._consent_status(status_url, platform["issuer"])
        if state != "active":
            raise BundleError(
                "consent-revoked", f"The consent this bundle was exported under is {state}."
            )
        consent_id = consent.get("consent_id")
        return {"consent_id": str(consent_id), "status_url": status_url}

    async def _consent_status(self, status_url: str, issuer: str) -> str:
        if not same_origin(status_url, issuer):
            raise BundleError(
                "consent-invalid", "The consent status URL is not on the issuer's host."
            )
        try:
            self._http.policy.check_url(status_url)
        except OutboundUrlError as error:
            raise BundleError("consent-invalid", f"The consent status URL: {error}") from error
        try:
            response = await self._http.get(status_url, max_bytes=MAX_STATUS_BYTES)
        except OutboundError as error:
            raise BundleError(
                "consent-unverifiable", f"The consent status could not be checked: {error.detail}"
            ) from error
        if response.status_code != 200:
            raise BundleError(
                "consent-unverifiable",
                f"The consent status endpoint answered {response.status_code}.",
            )
        try:
            document = response.json()
        except ValueError as error:
            raise BundleError(
                "consent-unverifiable", "The consent status endpoint did not answer JSON."
            ) from error
        status = document.get("status") if isinstance(document, dict) else None
        return str(status)

    def _prepare(
        self,
        claims: dict[str, Any],
        platform: dict[str, Any],
        importer: Importer,
        consent: dict[str, Any],
        replay_key: str,
        now: datetime,
    ) -> dict[str, Any]:
        """Turn the upgraded claims into the rows graph/imports.py merges."""
        iss, sub, body = platform["issuer"], claims["sub"], claims["rolodex"]
        ours = self._settings.public_url
        identities = [{"iss": iss, "sub": sub}]
        profile = body.get("profile") or {}
        identities += [i for i in profile.get("identities", []) if isinstance(i, dict)]
        local_person_id = next((i["sub"] for i in identities if i["iss"] == ours), None)
        foreign = [
            {"key": f"{i['iss']}|{i['sub']}", "iss": i["iss"], "sub": i["sub"]}
            for i in identities
            if i["iss"] != ours
        ]
        warnings: list[str] = []
        if "preferences" in body:
            warnings.append(
                "Preferences are never imported: sharing choices are made here, by the person."
            )
        contacts = [self._contact(c, iss, ours) for c in body.get("contacts", [])]
        records = [
            self._record(section, item, iss)
            for section in RECORD_SECTIONS
            for item in body.get(section, [])
        ]
        return {
            "import_id": new_id("imp"),
            "replay_key": replay_key,
            "issuer": iss,
            "platform_id": platform["id"],
            "bundle_id": claims["jti"],
            "at": now,
            "scopes": body.get("scopes", []),
            "consent": consent,
            "identities": foreign,
            "local_person_id": local_person_id,
            "importer_person_id": importer.person_id,
            "actor": {"subject": importer.subject, "role": importer.role},
            "new_person_id": local_id("per", iss, sub),
            "profile": {key: profile[key] for key in PROFILE_KEYS if key in profile}
            if profile
            else None,
            "contacts": contacts,
            "records": records,
            "warnings": warnings,
            "items": len(contacts) + len(records) + (1 if profile else 0),
        }

    @staticmethod
    def _contact(contact: dict[str, Any], iss: str, ours: str) -> dict[str, Any]:
        origin = contact.get("origin") or {"iss": iss, "id": contact["id"]}
        is_ours = origin["iss"] == ours
        since = contact.get("since")
        return {
            "id": origin["id"] if is_ours else local_id("ctc", origin["iss"], origin["id"]),
            "ours": is_ours,
            "name": contact.get("fn"),
            "email": contact.get("email"),
            "organisation": contact.get("org"),
            "title": contact.get("title"),
            "relation": (contact.get("categories") or [None])[0],
            "context": contact.get("note"),
            "since": date.fromisoformat(since) if isinstance(since, str) else None,
            "origin_iss": origin["iss"],
            "origin_id": origin["id"],
        }

    @staticmethod
    def _record(section: str, item: dict[str, Any], iss: str) -> dict[str, Any]:
        origin = item.get("origin") or {"iss": iss, "id": item["id"]}
        data = {key: value for key, value in item.items() if key != "origin"}
        return {
            "id": local_id("ext", origin["iss"], origin["id"]),
            "kind": section,
            "data": json.dumps(data, sort_keys=True),
            "origin_iss": origin["iss"],
            "origin_id": origin["id"],
        }
