"""app/analytics/matching.py: the language must-have, each weighed part, and ranking."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.analytics.matching import (
    WEIGHTS,
    capacity_part,
    contacts_part,
    overlap_part,
    rank,
    speaks,
    terms,
    timezone_part,
    utc_offset_hours,
)

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def test_weights_add_up_to_one() -> None:
    assert round(sum(WEIGHTS.values()), 10) == 1.0


def test_terms_and_languages() -> None:
    assert terms(["  Public   Speaking ", "PYTHON", "", None]) == {"public speaking", "python"}
    assert speaks(["en-GB"], ["en"], None)
    assert speaks(["en"], ["EN-us", "fr"], "fr-CA")
    assert not speaks(["en"], ["fr"], None)
    assert not speaks(["en", "fr"], ["en"], "de")
    assert speaks([], ["fr"], None)  # the mentee lists no language: nothing to require
    assert not speaks(["en"], [], None)


def test_offsets_follow_daylight_saving_time() -> None:
    assert utc_offset_hours("Europe/Berlin", WINTER) == 1
    assert utc_offset_hours("Europe/Berlin", SUMMER) == 2
    assert utc_offset_hours("Asia/Kolkata", WINTER) == 5.5
    assert utc_offset_hours("Nowhere/Land", WINTER) is None
    assert utc_offset_hours(None, WINTER) is None


def test_parts_and_their_sentences() -> None:
    assert overlap_part({"a", "b"}, {"c"}).reason is None
    many = overlap_part(
        {"a", "b", "c", "d", "e", "f", "g", "x"}, {"a", "b", "c", "d", "e", "f", "g"}
    )
    assert many.reason == "You both care about a, b, c, d, e and 2 more."
    assert many.score == 7 / 8
    assert timezone_part(0).reason == "You are in the same time zone right now."
    assert timezone_part(1).reason == "Your time zones are 1 hour apart right now."
    assert timezone_part(5.5).reason == "Your time zones are 5.5 hours apart right now."
    assert timezone_part(6).score == 0.5
    assert (timezone_part(12).score, timezone_part(12).reason) == (0.0, None)
    assert timezone_part(None).score == 0.0
    assert contacts_part(1, []).reason == "You share a contact."
    assert contacts_part(2, []).reason == "You share 2 contacts."
    assert contacts_part(5, ["Zoe", "Ada", "Bo", "Cy"]).reason == (
        "You share 5 contacts: Ada, Bo, Cy and 2 others."
    )
    assert contacts_part(5, []).score == 1.0
    assert capacity_part(1).reason == "They have room for 1 more mentee."
    assert capacity_part(0).score == 0.0


def candidate(person_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "display_name": person_id.title(),
        "skills": [],
        "languages": ["en"],
        "timezone": "UTC",
        "capacity_left": 1,
        **fields,
    }


def test_ranking_is_stable_and_bounded() -> None:
    mentee = {"interests": ["graphs"], "goals": [], "languages": ["en"], "timezone": "UTC"}
    ranked = rank(
        mentee,
        [
            candidate("zed"),
            candidate("amy"),
            candidate(
                "max",
                skills=["graphs"],
                capacity_left=9,
                shared_contacts=7,
                named_contacts=[],
                shared_cohorts=["C"],
            ),
            candidate("fr", languages=["fr"]),
        ],
        now=WINTER,
        limit=10,
    )
    assert [m.person_id for m in ranked] == ["max", "amy", "zed"]
    assert ranked[0].score == 1.0
    assert ranked[1].score == ranked[2].score
    assert all(0 <= m.score <= 1 for m in ranked)
    assert (
        rank(mentee, [candidate("zed"), candidate("amy")], now=WINTER, limit=1)[0].person_id
        == "amy"
    )
