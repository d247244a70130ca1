"""Turn a person's graph slice into a bundle body and its signed claims.

Only the requested scopes are present; a scope that was not granted is absent from the payload
altogether (not an empty list), so "without `sessions`, no session data anywhere" holds by
construction and is asserted in the tests.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from export.models import (
    BundleBody,
    BundleClaims,
    ConsentReference,
    Contact,
    Mentorship,
    Origin,
    OutcomeMeasurement,
    PreferenceSnapshot,
    Profile,
    Session,
    StructuredName,
)


def structured_name(full: str) -> StructuredName:
    """jCard `n` from a recorded full name: the last word as family name, the rest as given."""
    parts = full.split()
    if len(parts) < 2:
        return StructuredName(family="", given=full.strip())
    return StructuredName(family=parts[-1], given=" ".join(parts[:-1]))


def _contact(row: dict[str, Any]) -> Contact:
    name = row.get("name") or ""
    return Contact(
        id=row["id"],
        kind=row["kind"],
        fn=name,
        n=structured_name(name) if name else None,
        email=row.get("email"),
        org=row.get("organisation"),
        title=row.get("title"),
        categories=[row["relation"]] if row.get("relation") else [],
        note=row.get("context"),
        since=row.get("since"),
        rev=row.get("created_at"),
        origin=Origin(iss=row["origin_iss"], id=row["origin_id"])
        if row.get("origin_iss")
        else None,
    )


def _preferences(row: dict[str, Any] | None) -> PreferenceSnapshot | None:
    if row is None:
        return None
    choices: dict[str, bool | str] = json.loads(row["choices"]) if row.get("choices") else {}
    if row.get("discoverable") is not None:
        choices["discoverable"] = bool(row["discoverable"])
    return PreferenceSnapshot(version=int(row.get("version") or 2), choices=choices)


def build_body(slice_: dict[str, Any], scopes: list[str], consent: ConsentReference) -> BundleBody:
    body = BundleBody(scopes=sorted(scopes), consent=consent)
    if "profile" in slice_:
        body.profile = Profile.model_validate(
            {key: value for key, value in slice_["profile"].items() if value is not None}
        )
    if "contacts" in slice_:
        body.contacts = [_contact(row) for row in slice_["contacts"]]
    if "mentorships" in slice_:
        body.mentorships = [
            Mentorship.model_validate({**row, "goals": row.get("goals") or []})
            for row in slice_["mentorships"]
        ]
    if "sessions" in slice_:
        body.sessions = [Session.model_validate(row) for row in slice_["sessions"]]
    if "outcomes" in slice_:
        body.outcomes = [OutcomeMeasurement.model_validate(row) for row in slice_["outcomes"]]
    if "preferences" in slice_:
        body.preferences = _preferences(slice_["preferences"])
    return body


def bundle_claims(
    body: BundleBody,
    *,
    issuer: str,
    subject: str,
    audience: str,
    bundle_id: str,
    now: datetime,
    ttl: timedelta,
) -> dict[str, Any]:
    claims = BundleClaims(
        iss=issuer,
        sub=subject,
        aud=audience,
        iat=int(now.timestamp()),
        nbf=int(now.timestamp()),
        exp=int((now + ttl).timestamp()),
        jti=bundle_id,
        rolodex=body,
    )
    payload: dict[str, Any] = claims.model_dump(mode="json", by_alias=True, exclude_none=True)
    return payload
