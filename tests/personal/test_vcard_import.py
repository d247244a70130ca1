"""personal/vcard_import.py: reading real address-book exports and planning the merge."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from personal.vcard_import import (
    ExistingContact,
    Outcome,
    TooManyCardsError,
    VCardError,
    parse,
    plan,
)
from tests.personal import vcard_samples as samples


def test_reads_the_fields_of_an_apple_contacts_card() -> None:
    [card] = parse(samples.APPLE_CONTACTS_30.encode(), max_cards=10)
    assert card.name == "Ada Lovelace"
    assert card.emails == ("ada@example.org", "ada.home@example.org")
    assert card.organisation == "Analytical Engines Ltd"
    assert card.title == "Mathematician"
    assert card.context is not None
    assert card.context.startswith("Met at the Difference Engine demo in London, and we kept")
    assert "letters about" in card.context  # the folded line is joined mid-word
    assert card.uid == "4F1B2C3D-0000-4000-8000-ADA000000001"
    assert "PHOTO" not in repr(card)


def test_reads_quoted_printable_and_n_only_names() -> None:
    [android] = parse(samples.ANDROID_QP_30.encode(), max_cards=10)
    assert android.name == "Dr. Jürgen Müller"
    [outlook] = parse(samples.OUTLOOK_NO_FN_40.encode(), max_cards=10)
    assert outlook.name == "Zoë Maria Ågren PhD"
    assert outlook.emails == ("zoe.agren@example.se",)


def test_many_cards_in_file_order() -> None:
    cards = parse(samples.GOOGLE_THREE.encode(), max_cards=10)
    assert [(c.index, c.name) for c in cards] == [
        (1, "Grace Hopper"),
        (2, "Alan Turing"),
        (3, "Katherine Johnson"),
    ]
    assert cards[0].relation == "myContacts"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"hello, this is not a vCard",
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Never closed\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        b"\xff\xfe\x00garbage",
        b'{"name": "json"}',
    ],
)
def test_refuses_what_is_not_a_vcard_file(body: bytes) -> None:
    with pytest.raises(VCardError):
        parse(body, max_cards=10)


def test_counts_cards_before_parsing() -> None:
    body = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n" * 11
    with pytest.raises(TooManyCardsError):
        parse(body, max_cards=10)


def _ids() -> itertools.count[int]:
    return itertools.count(1)


def test_plan_matches_by_uid_then_email_and_creates_the_rest() -> None:
    cards = parse(samples.GOOGLE_THREE.encode() + samples.OUTLOOK_NO_FN_40.encode(), max_cards=10)
    existing = [
        ExistingContact("ctc_a", "card", None, {"name": "G. Hopper", "email": "GRACE@example.org"}),
        ExistingContact(
            "ctc_z",
            "card",
            "urn:uuid:6c0c3f3e-9d56-4f55-8a8e-0000000000a1",
            {
                "name": "Zoë Maria Ågren PhD",
                "email": "zoe.agren@example.se",
                "organisation": "Kungliga Tekniska högskolan",
            },
        ),
    ]
    counter = _ids()
    decisions = plan([(c, c.fields()) for c in cards], existing, lambda: f"ctc_new{next(counter)}")
    outcomes = {d.name: d for d in decisions}
    grace = outcomes["Grace Hopper"]
    assert grace.outcome is Outcome.UPDATED
    assert grace.contact_id == "ctc_a"
    assert "by e-mail" in (grace.reason or "")
    assert dict(grace.changes) == {
        "name": "Grace Hopper",
        "email": "grace@example.org",
        "relation": "myContacts",
    }
    assert outcomes["Alan Turing"].outcome is Outcome.CREATED
    assert outcomes["Katherine Johnson"].outcome is Outcome.CREATED
    zoe = outcomes["Zoë Maria Ågren PhD"]
    assert zoe.outcome is Outcome.SKIPPED
    assert zoe.contact_id == "ctc_z"
    assert "UID" in (zoe.reason or "")


def test_plan_takes_a_card_twice_in_one_file_once() -> None:
    cards = parse((samples.ANDROID_QP_30 * 2).encode(), max_cards=10)
    decisions = plan([(c, c.fields()) for c in cards], [], lambda: "ctc_1")
    assert [d.outcome for d in decisions] == [Outcome.CREATED, Outcome.SKIPPED]


def test_plan_matches_our_own_export_uid() -> None:
    from portability.vcard import card as export_card

    exported = export_card(
        {"id": "ctc_mine", "name": "Mine", "email": None, "since": date(2020, 1, 2)}
    )
    [card] = parse(exported.encode(), max_cards=1)
    existing = [
        ExistingContact("ctc_mine", "card", None, {"name": "Mine", "since": date(2020, 1, 2)})
    ]
    [decision] = plan([(card, card.fields())], existing, lambda: "never")
    assert decision.outcome is Outcome.SKIPPED
    assert decision.contact_id == "ctc_mine"
