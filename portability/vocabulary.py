"""The words every part of the bundle life cycle shares, defined once: the six sections, the
statuses and roles items carry, the audience for a person's own download, and the id pattern.

Each `Literal` type is the source; the tuples are derived from it, so the list of sections (or of
statuses) cannot drift between the models, the routers, the exporter and the importer.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Section = Literal["profile", "contacts", "mentorships", "sessions", "outcomes", "preferences"]
SECTIONS: Final[tuple[Section, ...]] = get_args(Section)
"""Every section of a bundle body, in body order; each is also a consent scope."""

RecordSection = Literal["mentorships", "sessions", "outcomes"]
RECORD_SECTIONS: Final[tuple[RecordSection, ...]] = get_args(RecordSection)
"""Sections whose items are program records (kept with their provenance when imported)."""

Role = Literal["mentor", "mentee"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)

MentorshipStatus = Literal["proposed", "active", "paused", "declined", "completed", "abandoned"]
SessionStatus = Literal["scheduled", "completed", "no_show", "cancelled"]
ContactKind = Literal["person", "card"]
ConsentState = Literal["active", "revoked", "expired"]

SELF_AUDIENCE: Final = "self"
"""The audience of a person's own download (no platform)."""

ID_PATTERN: Final = r"^[A-Za-z0-9_-]{1,128}$"
"""Every id a bundle or a route carries: opaque, URL-safe."""

AUDIENCE_PATTERN: Final = r"^[A-Za-z0-9._-]{1,64}$"
"""`self` or a platform id."""


def present_sections(body: dict[str, object]) -> list[Section]:
    """The sections a body (a parsed `rolodex` claim) carries, in body order."""
    return [section for section in SECTIONS if section in body]
