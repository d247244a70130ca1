"""Turn a person's graph slice into a bundle body and its signed claims.

Only the requested scopes are present; a scope that was not granted is absent from the payload
altogether (not an empty list), so "without `sessions`, no session data anywhere" holds by
construction and is asserted in the tests.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from export.models import BundleBody, BundleClaims, ConsentReference, PreferenceSnapshot


def structured_name(full: str) -> dict[str, str]:
    """jCard `n` from a recorded full name: the last word as family name, the rest as given."""
    parts = full.split()
    if len(parts) < 2:
        return {"family": "", "given": full.strip()}
    return {"family": parts[-1], "given": " ".join(parts[:-1])}


def contact_item(row: dict[str, Any]) -> dict[str, Any]:
    name = row.get("name") or ""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "fn": name,
        "n": structured_name(name) if name else None,
        "email": row.get("email"),
        "org": row.get("organisation"),
        "title": row.get("title"),
        "categories": [row["relation"]] if row.get("relation") else [],
        "note": row.get("context"),
        "since": row.get("since"),
        "rev": row.get("created_at"),
        "origin": {"iss": row["origin_iss"], "id": row["origin_id"]}
        if row.get("origin_iss")
        else None,
    }


def _preferences(row: dict[str, Any] | None) -> PreferenceSnapshot | None:
    if row is None:
        return None
    choices: dict[str, bool | str] = json.loads(row["choices"]) if row.get("choices") else {}
    if row.get("discoverable") is not None:
        choices["discoverable"] = bool(row["discoverable"])
    return PreferenceSnapshot(version=int(row.get("version") or 2), choices=choices)


def build_body(slice_: dict[str, Any], scopes: list[str], consent: ConsentReference) -> BundleBody:
    """Validate the slice into a body in one pass (items are plain dicts until then)."""
    body: dict[str, Any] = {"scopes": sorted(scopes), "consent": consent}
    if "profile" in slice_:
        body["profile"] = {
            key: value for key, value in slice_["profile"].items() if value is not None
        }
    if "contacts" in slice_:
        body["contacts"] = [contact_item(row) for row in slice_["contacts"]]
    if "mentorships" in slice_:
        body["mentorships"] = [
            {**row, "goals": row.get("goals") or []} for row in slice_["mentorships"]
        ]
    for scope in ("sessions", "outcomes"):
        if scope in slice_:
            body[scope] = slice_[scope]
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
