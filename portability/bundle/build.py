"""Turn a person's graph slice into a bundle body and its signed claims.

Only the requested scopes are present; a scope that was not granted is absent from the payload
altogether (not an empty list), so "without `sessions`, no session data anywhere" holds by
construction and is asserted in the tests.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from portability.bundle.contacts import to_item
from portability.bundle.models import (
    BundleBody,
    BundleClaims,
    ConsentReference,
    PreferenceSnapshot,
)


def record_item(row: dict[str, Any]) -> dict[str, Any]:
    """A record row as a bundle item: the person's own as read, one imported from elsewhere
    (`data`: the item as it arrived) with its local id and its original issuer's `origin`."""
    if "data" not in row:
        return row
    item: dict[str, Any] = json.loads(row["data"])
    return {**item, "id": row["id"], "origin": {"iss": row["origin_iss"], "id": row["origin_id"]}}


def _preferences(row: dict[str, Any] | None) -> PreferenceSnapshot | None:
    if row is None:
        return None
    choices: dict[str, bool | str] = json.loads(row["choices"]) if row.get("choices") else {}
    if row.get("discoverable") is not None:
        choices["discoverable"] = bool(row["discoverable"])
    return PreferenceSnapshot(version=int(row.get("version") or 2), choices=choices)


def build_body(
    slice_: dict[str, Any], scopes: Sequence[str], consent: ConsentReference
) -> BundleBody:
    """Validate the slice into a body in one pass (items are plain dicts until then)."""
    body: dict[str, Any] = {"scopes": sorted(scopes), "consent": consent}
    if "profile" in slice_:
        body["profile"] = {
            key: value for key, value in slice_["profile"].items() if value is not None
        }
    if "contacts" in slice_:
        body["contacts"] = [to_item(row) for row in slice_["contacts"]]
    if "mentorships" in slice_:
        body["mentorships"] = [
            {**item, "goals": item.get("goals") or []}
            for item in (record_item(row) for row in slice_["mentorships"])
        ]
    for scope in ("sessions", "outcomes"):
        if scope in slice_:
            body[scope] = [record_item(row) for row in slice_[scope]]
    if "preferences" in slice_:
        body["preferences"] = _preferences(slice_["preferences"])
    return BundleBody.model_validate(body)


def bundle_claims(
    body: BundleBody,
    *,
    issuer: str,
    subject: str,
    audience: str,
    bundle_id: str,
    now: datetime,
    ttl: timedelta,
) -> BundleClaims:
    return BundleClaims(
        iss=issuer,
        sub=subject,
        aud=audience,
        iat=int(now.timestamp()),
        nbf=int(now.timestamp()),
        exp=int((now + ttl).timestamp()),
        jti=bundle_id,
        rolodex=body,
    )


def claims_json(claims: BundleClaims) -> bytes:
    """The JWS payload: the claims serialised once, straight to JSON bytes (no dict in between)."""
    return claims.model_dump_json(by_alias=True, exclude_none=True).encode()
