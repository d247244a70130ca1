"""Legacy flag reading: only an explicit yes opts in; anything unclear maps to the narrower choice."""

from __future__ import annotations

from typing import Any

import pytest

from app.preferences.legacy import map_legacy, plan_person, read_flag


@pytest.mark.parametrize("value", [True, "yes", "YES", " y ", "true", "on", "1", 1])
def test_explicit_yes(value: Any) -> None:
    assert read_flag(value) is True


@pytest.mark.parametrize("value", [False, "no", "N", "false", "off", "0", 0])
def test_explicit_no(value: Any) -> None:
    assert read_flag(value) is False


@pytest.mark.parametrize(
    "value", ["", None, "maybe", "nope", 2, -1, 1.0, [True], {"v": True}, "yes please"]
)
def test_ambiguous(value: Any) -> None:
    assert read_flag(value) is None


def test_mapping_narrows_ambiguous_and_reports_unknown() -> None:
    choices, ambiguous, unknown = map_legacy(
        {"discoverable": "maybe", "public_profile": "y", "shoe_size": "44"}
    )
    assert choices == {"discoverable": False, "profile_visibility": "public"}
    assert ambiguous == ["discoverable"]
    assert unknown == ["shoe_size"]


def test_two_flags_for_one_key_keep_the_explicit_wider_yes_only() -> None:
    choices, _, _ = map_legacy({"public_profile": "no", "program_visible": "yes"})
    assert choices["profile_visibility"] == "program"
    choices, _, _ = map_legacy({"public_profile": "maybe", "program_visible": "no"})
    assert choices["profile_visibility"] == "private"


def test_current_v2_choices_are_never_widened() -> None:
    plan = plan_person(
        "p",
        {"discoverable": "yes", "share_contacts": "yes"},
        {"discoverable": False, "share_contacts": True},
    )
    assert plan.after == {"discoverable": False, "share_contacts": True}
    assert not plan.changed
    plan = plan_person("p", {"share_contacts": "no"}, {"share_contacts": True})
    assert plan.after == {"share_contacts": False}
    assert plan.diff() == {"share_contacts": {"before": True, "after": False}}
