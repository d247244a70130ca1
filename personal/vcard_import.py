"""Reading `.vcf` files exported by phones and mail clients, and merging them into a rolodex.

Parsing is `vobject`'s (vCard 3.0 and 4.0, folded lines, `item1.EMAIL` groups, quoted-printable
values, escaped text); this module only picks the fields a contact keeps: FN (or the five parts of
N when FN is missing), every EMAIL (the `pref` one first), ORG (its first part), TITLE, NOTE,
CATEGORIES (the first one, as the relation), UID and our own export's X-ROLODEX-SINCE. Photos,
logos, sounds, keys and everything else are ignored.

Merging (`plan`) is pure: each card is matched against the owner's contacts by UID first (the UID
an earlier import stored, or the UID our own vCard export gives the contact), then by any of its
e-mail addresses (case-insensitive), and, for a card with neither, by its name. A match with
different values is updated (only the fields the card carries; nothing is cleared), a match with
the same values is skipped as unchanged, anything else is created. Cards earlier in the same file
count as existing, so a file holding a card twice creates it once; uploading the same file again
changes nothing.
"""

from __future__ import annotations

import binascii
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import vobject
from vobject.base import VObjectError

from portability.vcard import UID_NAMESPACE

MEDIA_TYPES = frozenset({"text/vcard", "text/x-vcard", "text/directory"})
"""Content types accepted for an upload (RFC 6350's, and the older names address books send)."""

_BEGIN = re.compile(rb"^BEGIN[ \t]*:[ \t]*VCARD[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


class VCardError(ValueError):
    """The upload is not a readable vCard file; nothing of it is written."""


class TooManyCardsError(VCardError):
    """The file holds more cards than one upload may."""


@dataclass(frozen=True)
class ParsedCard:
    """The fields a contact keeps, read from one card (`index` counts from 1 in file order)."""

    index: int
    uid: str | None
    name: str | None
    emails: tuple[str, ...]
    organisation: str | None = None
    title: str | None = None
    relation: str | None = None
    context: str | None = None
    since: date | None = None

    def fields(self) -> dict[str, Any]:
        """The contact fields the card carries (absent ones left out, never cleared)."""
        values: dict[str, Any] = {
            "name": self.name,
            "email": self.emails[0] if self.emails else None,
            "organisation": self.organisation,
            "title": self.title,
            "relation": self.relation,
            "context": self.context,
            "since": self.since,
        }
        return {key: value for key, value in values.items() if value is not None}


def count_cards(body: bytes) -> int:
    """How many `BEGIN:VCARD` lines the body holds (checked before parsing anything)."""
    return len(_BEGIN.findall(body))


def parse(body: bytes, *, max_cards: int) -> list[ParsedCard]:
    """Every card of a vCard file; `VCardError` when it is not one (or holds too many cards)."""
    cards = count_cards(body)
    if cards > max_cards:
        raise TooManyCardsError(
            f"The file holds {cards} cards; at most {max_cards} are imported at once."
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise VCardError("The file is not UTF-8 text.") from error
    parsed: list[ParsedCard] = []
    try:
        for component in vobject.readComponents(text, allowQP=True):
            if component.name != "VCARD":
                raise VCardError(f"The file holds a {component.name}, not only vCards.")
            parsed.append(_read(len(parsed) + 1, component))
    except (VObjectError, binascii.Error, ValueError) as error:
        if isinstance(error, VCardError):
            raise
        raise VCardError(f"The file is not a readable vCard file: {error}") from error
    if not parsed:
        raise VCardError("The file holds no vCard (BEGIN:VCARD … END:VCARD).")
    if len(parsed) > max_cards:  # cards the line count missed (e.g. odd spacing)
        raise TooManyCardsError(f"At most {max_cards} cards are imported at once.")
    return parsed


def _lines(component: Any, name: str) -> list[Any]:
    return list(component.contents.get(name, []))


def _text(value: Any) -> str | None:
    """A property value as one trimmed string (lists, as ORG and CATEGORIES are, give the first)."""
    if isinstance(value, list | tuple):
        value = next((part for part in value if isinstance(part, str) and part.strip()), None)
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _first(component: Any, name: str) -> str | None:
    for line in _lines(component, name):
        text = _text(line.value)
        if text:
            return text
    return None


def _name_from_n(component: Any) -> str | None:
    """prefix given additional family suffix, from the five components of N."""
    for line in _lines(component, "n"):
        value = line.value
        parts = [
            getattr(value, attribute, "")
            for attribute in ("prefix", "given", "additional", "family", "suffix")
        ]
        words = [_text(part) for part in parts]
        name = " ".join(word for word in words if word)
        if name:
            return name
    return None


def _emails(component: Any) -> tuple[str, ...]:
    """Every address, the one typed `pref` (or with PREF=1 in 4.0) first, duplicates dropped."""
    ranked: list[tuple[int, int, str]] = []
    for position, line in enumerate(_lines(component, "email")):
        address = _text(line.value)
        if not address:
            continue
        types = {str(t).lower() for t in line.params.get("TYPE", [])}
        preferred = "pref" in types or "1" in line.params.get("PREF", [])
        ranked.append((0 if preferred else 1, position, address))
    seen: set[str] = set()
    emails: list[str] = []
    for _rank, _position, address in sorted(ranked):
        if address.lower() not in seen:
            seen.add(address.lower())
            emails.append(address)
    return tuple(emails)


def _since(component: Any) -> date | None:
    value = _first(component, "x-rolodex-since")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _read(index: int, component: Any) -> ParsedCard:
    return ParsedCard(
        index=index,
        uid=_first(component, "uid"),
        name=_first(component, "fn") or _name_from_n(component),
        emails=_emails(component),
        organisation=_first(component, "org"),
        title=_first(component, "title"),
        relation=_first(component, "categories"),
        context=_first(component, "note"),
        since=_since(component),
    )


# Merging.


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"


@dataclass
class ExistingContact:
    """One of the owner's contacts as the merge sees it (`kind`: `card` or `person`)."""

    id: str
    kind: str
    uid: str | None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def uids(self) -> set[str]:
        exported = f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, self.id)}"
        return {exported} | ({self.uid} if self.uid else set())

    @property
    def email(self) -> str | None:
        value = self.fields.get("email")
        return value.lower() if isinstance(value, str) else None

    @property
    def name(self) -> str | None:
        value = self.fields.get("name")
        return value.casefold() if isinstance(value, str) else None


@dataclass(frozen=True)
class Decision:
    """What to do with one card: create a contact, update one, or skip it (with the reason)."""

    index: int
    outcome: Outcome
    name: str | None
    contact_id: str | None = None
    kind: str = "card"
    changes: Mapping[str, Any] = field(default_factory=dict)
    uid: str | None = None
    reason: str | None = None


def skip(card: ParsedCard, reason: str) -> Decision:
    return Decision(card.index, Outcome.SKIPPED, card.name, reason=reason)


def _match(
    card: ParsedCard, contacts: Sequence[ExistingContact]
) -> tuple[ExistingContact, str] | None:
    if card.uid:
        for contact in contacts:
            if card.uid in contact.uids:
                return contact, "UID"
    emails = {address.lower() for address in card.emails}
    if emails:
        for contact in contacts:
            if contact.email in emails:
                return contact, "e-mail"
    if not card.uid and not emails and card.name:
        for contact in contacts:
            if contact.email is None and contact.name == card.name.casefold():
                return contact, "name"
    return None


def plan(
    cards: Iterable[tuple[ParsedCard, Mapping[str, Any]]],
    existing: Iterable[ExistingContact],
    new_contact_id: Any,
) -> list[Decision]:
    """Decide each (card, validated fields) in file order; `new_contact_id()` names new contacts."""
    contacts = list(existing)
    decisions: list[Decision] = []
    for card, values in cards:
        found = _match(card, contacts)
        if found is None:
            contact = ExistingContact(new_contact_id(), "card", card.uid, dict(values))
            contacts.append(contact)
            decisions.append(
                Decision(
                    card.index,
                    Outcome.CREATED,
                    card.name,
                    contact.id,
                    changes=dict(values),
                    uid=card.uid,
                )
            )
            continue
        contact, by = found
        changes = {k: v for k, v in values.items() if contact.fields.get(k) != v}
        if contact.kind == "person":
            changes.pop("name", None)  # a person's contact shows their own name when unset
        # The card's UID is remembered (so a later upload matches by it) without counting as
        # a change the person made.
        new_uid = (
            card.uid if card.uid and contact.uid is None and card.uid not in contact.uids else None
        )
        if new_uid:
            contact.uid = new_uid
        if not changes:
            decisions.append(
                Decision(
                    card.index,
                    Outcome.SKIPPED,
                    card.name,
                    contact.id,
                    contact.kind,
                    uid=new_uid,
                    reason=f"unchanged: the same as contact {contact.id} (matched by {by})",
                )
            )
            continue
        contact.fields.update(changes)
        decisions.append(
            Decision(
                card.index,
                Outcome.UPDATED,
                card.name,
                contact.id,
                contact.kind,
                changes=changes,
                uid=new_uid,
                reason=f"matched contact {contact.id} by {by}",
            )
        )
    return decisions
