"""export/vcard.py: RFC 6350 escaping, folding and CRLF; a real parser reads the cards back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import vobject

from personal.vcard_import import parse
from portability import vcard

AT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def _contact(**fields: Any) -> dict[str, Any]:
    return {"id": "ctc_1", "created_at": AT, **fields}


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a,b", "a\\,b"),
        ("a;b", "a\\;b"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("crlf\r\nline", "crlf\\nline"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert vcard.escape(raw) == escaped


def test_fold_keeps_lines_within_75_octets_and_characters_whole() -> None:
    line = "NOTE:" + "ü" * 100 + "x" * 100
    folded = vcard.fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line
    assert vcard.fold("short") == "short"


def test_a_card_has_the_rfc_properties_and_crlf_endings() -> None:
    text = vcard.card(
        _contact(
            name="Grace Brewster Hopper",
            email="grace@example.org",
            organisation="US Navy",
            title="Rear Admiral",
            relation="met-at-event",
            context="COBOL, compilers",
            since=date(1959, 5, 28),
        )
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCARD"
    assert lines[1] == "VERSION:4.0"
    assert lines[-2] == "END:VCARD"
    assert lines[-1] == ""
    assert "\n" not in text.replace("\r\n", "")
    assert "FN:Grace Brewster Hopper" in lines
    assert lines[2] == f"PRODID:{vcard.PRODID}"
    assert "N:Hopper;Grace;Brewster;;" in lines
    assert "NOTE:COBOL\\, compilers" in lines
    assert "CATEGORIES:met-at-event" in lines
    assert "X-ROLODEX-SINCE;VALUE=date:19590528" in lines
    assert "REV:20300102T030405Z" in lines
    assert any(line.startswith("UID:urn:uuid:") for line in lines)


def test_uid_is_stable_per_contact() -> None:
    def uid(contact_id: str) -> str:
        text = vcard.card(_contact(id=contact_id, name="X"))
        return next(line for line in text.split("\r\n") if line.startswith("UID:"))

    assert uid("ctc_1") == uid("ctc_1")
    assert uid("ctc_1") != uid("ctc_2")


def test_a_real_parser_round_trips_awkward_values() -> None:
    contacts = [
        _contact(
            id="ctc_a",
            name="Zoë Ünïcödé-Longname " + "Very" * 20,
            email="zoe@example.org",
            organisation="Acme; Widgets, Inc. \\ R&D",
            title="Head of\nThings",
        ),
        _contact(id="ctc_b", name="Plain", email=None, organisation=None),
    ]
    cards = list(vobject.readComponents(vcard.render(contacts)))
    assert len(cards) == 2
    first, second = cards
    assert first.fn.value == contacts[0]["name"]
    assert first.email.value == "zoe@example.org"
    assert first.title.value == "Head of\nThings"
    assert first.org.value == ["Acme; Widgets, Inc. \\ R&D"]  # one unit: `;` was escaped
    assert (first.n.value.family, first.n.value.given) == ("Very" * 20, "Zoë")
    assert first.n.value.additional == "Ünïcödé-Longname"
    assert second.fn.value == "Plain"
    assert not hasattr(second, "email")


@pytest.mark.parametrize(
    ("name", "n"),
    [
        ("Dr. Mary Ann van der Berg Jr.", "N:van der Berg;Mary;Ann;Dr.;Jr."),
        ("Ada Lovelace", "N:Lovelace;Ada;;;"),
        ("Cher", "N:;Cher;;;"),
        ("José María García-López", "N:García-López;José;María;;"),
    ],
)
def test_names_are_split_by_a_real_name_parser(name: str, n: str) -> None:
    lines = vcard.card(_contact(name=name)).split("\r\n")
    assert n in lines
    parsed = vobject.readOne(vcard.card(_contact(name=name)))
    assert parsed.fn.value == name


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\v", "\f", "\r", "\r\n"])
def test_every_line_separator_in_a_text_value_is_escaped(separator: str) -> None:
    text = vcard.card(_contact(name="X", context=f"first{separator}second"))
    assert "NOTE:first\\nsecond" in text.split("\r\n")
    body = text.replace("\r\n", "")
    for raw in ("\u2028", "\u2029", "\x85", "\v", "\f", "\r", "\n"):
        assert raw not in body
    assert vobject.readOne(text).note.value == "first\nsecond"


def test_since_reads_back_through_the_importer() -> None:
    text = vcard.card(_contact(name="Grace Hopper", since=date(1959, 5, 28)))
    [parsed] = parse(text.encode(), max_cards=10)
    assert parsed.since == date(1959, 5, 28)
