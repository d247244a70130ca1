"""Rolodex contacts as vCard 4.0 (RFC 6350), for any address book to import.

One card per contact: UID (a stable `urn:uuid:` derived from the contact id), FN, N, EMAIL, ORG,
TITLE, CATEGORIES (the relation), NOTE (the context), REV (when it was recorded) and, as an
extension, X-ROLODEX-SINCE. Text is escaped (backslash, comma, semicolon, newline; §3.4), lines
are folded at 75 octets without splitting a UTF-8 character (§3.2), and every line ends in CRLF.
Only what the owner recorded goes in: a contact who is another person never exports that
person's own profile fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

MEDIA_TYPE = "text/vcard"
MAX_LINE_OCTETS = 75
UID_NAMESPACE = uuid.UUID("8f5c1f0e-3a4b-5d2e-9c71-5b0d6c2a7e11")


def escape(value: str) -> str:
    """Escape a text value: `\\` `,` `;` and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets joined by CRLF + space."""
    chunks: list[str] = []
    current, size, limit = "", 0, MAX_LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            chunks.append(current)
            current, size, limit = "", 0, MAX_LINE_OCTETS - 1  # continuation lines start with " "
        current += char
        size += octets
    chunks.append(current)
    return "\r\n ".join(chunks)


def _name_parts(name: str) -> tuple[str, str]:
    """(family, given) from a display name: the last word is taken as the family name."""
    words = name.split()
    if len(words) < 2:
        return name, ""
    return words[-1], " ".join(words[:-1])


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def card(contact: Mapping[str, Any]) -> str:
    """One `BEGIN:VCARD … END:VCARD` block, CRLF-terminated."""
    name = contact.get("name") or contact.get("email") or "Unnamed contact"
    family, given = _name_parts(name)
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:uuid:{uuid.uuid5(UID_NAMESPACE, str(contact['id']))}",
        f"FN:{escape(name)}",
        f"N:{escape(family)};{escape(given)};;;",
    ]
    if contact.get("email"):
        lines.append(f"EMAIL:{escape(contact['email'])}")
    if contact.get("organisation"):
        lines.append(f"ORG:{escape(contact['organisation'])}")
    if contact.get("title"):
        lines.append(f"TITLE:{escape(contact['title'])}")
    if contact.get("relation"):
        lines.append(f"CATEGORIES:{escape(contact['relation'])}")
    if contact.get("context"):
        lines.append(f"NOTE:{escape(contact['context'])}")
    since = contact.get("since")
    if isinstance(since, date):
        lines.append(f"X-ROLODEX-SINCE:{since.isoformat()}")
    created_at = contact.get("created_at")
    if isinstance(created_at, datetime):
        lines.append(f"REV:{_timestamp(created_at)}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def render(contacts: Iterable[Mapping[str, Any]]) -> str:
    """Every contact as one vCard stream."""
    return "".join(card(contact) for contact in contacts)
