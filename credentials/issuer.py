"""Issuing the portable profile as an SD-JWT VC (`typ: dc+sd-jwt`) bound to the holder's key.

The profile content is read with the export's own graph reads (`graph.bundle_source`) and shaped
like the v2 bundle's items (`export.build`, `export.models`). Always visible: `iss`, `iat`, `exp`,
`vct`, `cnf`, `status` and the section containers. Every profile field is a disclosure in
`profile._sd`; every contact, mentorship, session and outcome measurement is an array-element
disclosure (`{"...": digest}`); decoy digests are mixed into every `_sd` and every array, so
neither counts nor positions reveal anything.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from auth.keys import KeyStore
from credentials import metadata
from credentials.sdjwt import SD_ALG, SD_ALG_KEY, SD_KEY, Builder, Compact
from graph import bundle_source
from graph import credentials as store
from graph.db import Graph
from portability.bundle.contacts import to_item
from portability.bundle.models import Contact, Mentorship, OutcomeMeasurement, Session
from portability.documents import sign_document

TYP = "dc+sd-jwt"
ITEM_MODELS: dict[str, type[BaseModel]] = {
    "contacts": Contact,
    "mentorships": Mentorship,
    "sessions": Session,
    "outcomes": OutcomeMeasurement,
}


@dataclass(frozen=True)
class IssuerConfig:
    public_url: str
    ttl: timedelta
    status_list_size: int


@dataclass(frozen=True)
class IssuedCredential:
    credential_id: str
    credential: str
    vct: str
    expires_at: datetime


def _decoys(real: int) -> int:
    """A random number of decoys, growing with the number of real digests."""
    return 1 + secrets.randbelow(3 + real // 10)


def _items(slice_: dict[str, Any], section: str) -> list[dict[str, Any]]:
    rows = slice_.get(section) or []
    if section == "contacts":
        rows = [to_item(row) for row in rows]
    elif section == "mentorships":
        rows = [{**row, "goals": row.get("goals") or []} for row in rows]
    model = ITEM_MODELS[section]
    return [
        model.model_validate(row).model_dump(mode="json", exclude_none=True, by_alias=True)
        for row in rows
    ]


def build_payload(slice_: dict[str, Any], sections: list[str], builder: Builder) -> dict[str, Any]:
    """The selectively disclosable part of the payload, one disclosure per item and field."""
    body: dict[str, Any] = {}
    if "profile" in sections:
        profile = slice_.get("profile") or {}
        digests = [
            builder.property(name, profile[name])
            for name in metadata.PROFILE_FIELDS
            if profile.get(name) not in (None, [], "")
        ]
        body["profile"] = {SD_KEY: Builder.sd_object(digests, _decoys(len(digests)))}
    for section in ITEM_MODELS:
        if section in sections:
            placeholders = [builder.element(item) for item in _items(slice_, section)]
            body[section] = Builder.sd_array(placeholders, _decoys(len(placeholders)))
    return body


async def issue(
    graph: Graph,
    keystore: KeyStore,
    config: IssuerConfig,
    *,
    person_id: str,
    holder_jwk: dict[str, str],
    sections: list[str],
    now: datetime,
) -> IssuedCredential:
    """Read the person's slice, record the credential with its status entry, sign it."""
    wanted = [section for section in metadata.SECTIONS if section in sections]
    slice_ = await bundle_source.read_slice(graph, person_id, wanted)
    expires_at = now + config.ttl
    type_url = metadata.vct(config.public_url)
    record = await store.issue(
        graph,
        person_id=person_id,
        vct=type_url,
        sections=wanted,
        issued_at=now,
        expires_at=expires_at,
        list_size=config.status_list_size,
    )
    builder = Builder()
    payload: dict[str, Any] = {
        "iss": config.public_url,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "vct": type_url,
        "cnf": {"jwk": holder_jwk},
        "status": {
            "status_list": {
                "idx": record["idx"],
                "uri": metadata.status_list_uri(config.public_url, record["list_id"]),
            }
        },
        **build_payload(slice_, wanted, builder),
        SD_KEY: Builder.sd_object([], _decoys(0)),
        SD_ALG_KEY: SD_ALG,
    }
    signed = sign_document(
        keystore, json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), TYP
    )
    return IssuedCredential(
        credential_id=record["id"],
        credential=Compact(jwt=signed, disclosures=builder.disclosures, kb_jwt=None).serialize(),
        vct=type_url,
        expires_at=expires_at,
    )
