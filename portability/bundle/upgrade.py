"""Upgrade bundle bodies from older schema versions to the current one, one step at a time.

Version 1 → 2: the profile's `name` becomes `display_name`; contacts take jCard names (`fn`, `n`,
`org`, `title`, `categories`, `note`) and become `card`s; the consent fields move into one
`consent` object; a mentorship's `mentor_id`/`mentee_id` become the person's `role` and an opaque
`counterpart_id`; outcome measurements gain the (unknown in v1) outcome name, set to the key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portability.bundle.contacts import to_item
from portability.bundle.models import SCHEMA_ID, SCHEMA_VERSION


def _v1_contact(contact: dict[str, Any]) -> dict[str, Any]:
    """A v1 contact (its own field names) as a v2 `card`, through the one contact mapping."""
    row = {
        "id": contact["id"],
        "kind": "card",
        "name": contact["name"],
        "email": contact.get("email"),
        "organisation": contact.get("organization"),
        "title": contact.get("job_title"),
        "relation": contact.get("relation"),
        "context": contact.get("context"),
        "since": contact.get("since"),
    }
    return {key: value for key, value in to_item(row).items() if value is not None}


def _v1_to_v2(claims: dict[str, Any]) -> dict[str, Any]:
    body = claims["rolodex"]
    subject = claims["sub"]
    upgraded: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "version": 2,
        "scopes": body["scopes"],
        "consent": {
            "consent_id": body["consent_id"],
            "receipt": body["consent_receipt"],
            "status_url": body["status_url"],
        },
    }
    if "profile" in body:
        profile = body["profile"]
        upgraded["profile"] = {
            key: value
            for key, value in {
                "id": profile["id"],
                "display_name": profile["name"],
                "headline": profile.get("headline"),
                "skills": profile.get("skills", []),
                "languages": profile.get("languages", []),
                "timezone": profile.get("timezone"),
            }.items()
            if value is not None
        }
    if "contacts" in body:
        upgraded["contacts"] = [_v1_contact(contact) for contact in body["contacts"]]
    if "mentorships" in body:
        upgraded["mentorships"] = [
            {
                key: value
                for key, value in {
                    "id": m["id"],
                    "role": "mentor" if m["mentor_id"] == subject else "mentee",
                    "counterpart_id": m["mentee_id"]
                    if m["mentor_id"] == subject
                    else m["mentor_id"],
                    "cohort_id": m["cohort_id"],
                    "program_id": m["program_id"],
                    "status": m["status"],
                    "goals": m.get("goals", []),
                    "started_at": m.get("started_at"),
                    "ended_at": m.get("ended_at"),
                }.items()
                if value is not None
            }
            for m in body["mentorships"]
        ]
    if "sessions" in body:
        upgraded["sessions"] = [
            {k: v for k, v in s.items() if v is not None} for s in body["sessions"]
        ]
    if "outcomes" in body:
        upgraded["outcomes"] = [{**o, "outcome_name": o["outcome_key"]} for o in body["outcomes"]]
    return {**claims, "rolodex": upgraded}


STEPS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def upgrade(claims: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring `claims` of schema `version` up to the current version.

    The input is never changed: each step builds new objects (it may share unchanged parts of
    the input with its result), and claims already at the current version come back as they
    are, not copied (deep-copying 10,000 contacts was a visible part of a large import).
    """
    current = claims
    while version < SCHEMA_VERSION:
        current = STEPS[version](current)
        version += 1
    return current
