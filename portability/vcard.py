"""Rolodex contacts as vCard 4.0 (RFC 6350), for any address book to import.

One card per contact: PRODID (this exporter), UID (a stable `urn:uuid:` derived from the contact
id), FN, N (family; given; additional; honorific prefixes; suffixes — split by the `nameparser`
library, so "Dr. Mary Ann van der Berg Jr." is `N:van der Berg;Mary;Ann;Dr.;Jr.`), EMAIL, ORG,
TITLE, CATEGORIES (the relation), NOTE (the context), REV (when it was recorded) and
`X-ROLODEX-SINCE` (the date the owner says they have known the contact since: vCard 4.0 has no
standard property for it — ANNIVERSARY is the contact's own anniversary, RELATED names another
entity — so it is an `X-` extension, `VALUE=date`, documented in docs/graph-model.md). Text is
escaped (backslash, comma, semicolon; every line break — CRLF, CR, LF, VT, FF, NEL, U+2028,
U+2029 — becomes `\n`; §3.4), lines are folded at 75 octets without splitting a UTF-8 character
(§3.2), and every line ends in CRLF. Only what the owner recorded goes in: a contact who is another
person gets the e-mail the owner recorded for them (POST …/contacts with `person_id` and
`email`), never that person's own profile address.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from nameparser import HumanName

MEDIA_TYPE = "text/vcard"
PRODID = "-//Rolodex//Rolodex contacts export//EN"
LINE_BREAKS = re.compile("\r\n|[\r\n\v\f\x85\u2028\u2029]")
"""Every line separator a text value may hold (str.splitlines' set, less the file separators)."""
MAX_LINE_OCTETS = 75
UID_NAMESPACE = uuid.UUID("8f5c1f0e-3a4b-5d2e-9c71-5b0d6c2a7e11")


def escape(value: str) -> str:
    """Escape a text value: `\\` `,` `;`, and every line break as `\\n`."""
    escaped = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return LINE_BREAKS.sub("\\\\n", escaped)


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


def name_parts(name: str) -> tuple[str, str, str, str, str]:
    """The five N components (family, given, additional, prefixes, suffixes) of a display name.

    A single word (or a name the parser cannot split) is taken as the given name, which is how
    address books show a one-word name."""
    parsed = HumanName(name)
    parts = (parsed.last, parsed.first, parsed.middle, parsed.title, parsed.suffix)
    if not any(parts):
        return "", name.strip(), "", "", ""
    if not parsed.last and not parsed.middle:
        return "", parsed.first, "", parsed.title, parsed.suffix
    return parts


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def card(contact: Mapping[str, Any]) -> str:
    """One `BEGIN:VCARD … END:VCARD` block, CRLF-terminated."""
    name = contact.get("name") or contact.get("email") or "Unnamed contact"
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"PRODID:{PRODID}",
        f"UID:urn:uuid:{uuid.uuid5(UID_NAMESPACE, str(contact['id']))}",
        f"FN:{escape(name)}",
        "N:" + ";".join(escape(part) for part in name_parts(name)),
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
        lines.append(f"X-ROLODEX-SINCE;VALUE=date:{since.strftime('%Y%m%d')}")
    created_at = contact.get("created_at")
    if isinstance(created_at, datetime):
        lines.append(f"REV:{_timestamp(created_at)}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def render(contacts: Iterable[Mapping[str, Any]]) -> str:
    """Every contact as one vCard stream."""
    return "".join(card(contact) for contact in contacts)
