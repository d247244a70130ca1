"""The legacy flat opt-in flags and their mapping to preference schema v2 — never widening sharing.

A legacy record is `{"person_id": …, "flags": {name: value}}` with messy values. Only an explicit
yes (`true`, `"yes"`, `"y"`, `"true"`, `"on"`, `"1"`, `1`) opts in; an explicit no opts out; anything
else — `""`, `null`, `"maybe"`, numbers, lists, unknown spellings — is ambiguous and maps to the
narrower choice. Unknown flags are ignored and reported. A value already chosen under schema v2 is
never widened by the migration: the result is the narrower of the legacy value and the current one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.preferences.model import ORDER, narrower

YES = frozenset({"yes", "y", "true", "on", "1"})
NO = frozenset({"no", "n", "false", "off", "0"})

# legacy flag → (v2 key, value when the flag says yes, value when it says no or is ambiguous)
LEGACY_FLAGS: dict[str, tuple[str, Any, Any]] = {
    "discoverable": ("discoverable", True, False),
    "opt_in_matching": ("discoverable", True, False),
    "public_profile": ("profile_visibility", "public", "private"),
    "program_visible": ("profile_visibility", "program", "private"),
    "share_contacts": ("share_contacts", True, False),
    "share_progress": ("share_outcomes", True, False),
    "share_outcomes": ("share_outcomes", True, False),
    "match_emails": ("match_suggestions", True, False),
}


def read_flag(value: Any) -> bool | None:
    """True for an explicit yes, False for an explicit no, None when ambiguous."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
    return None


@dataclass
class PersonPlan:
    person_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    ambiguous: list[str] = field(default_factory=list)
    unknown_flags: list[str] = field(default_factory=list)
    legacy: str = ""  # the legacy record as JSON text, kept verbatim by the migration

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> dict[str, dict[str, Any]]:
        keys = sorted(set(self.before) | set(self.after))
        return {
            key: {"before": self.before.get(key), "after": self.after.get(key)}
            for key in keys
            if self.before.get(key) != self.after.get(key)
        }


def map_legacy(flags: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """v2 choices from legacy flags, plus the ambiguous and the unknown flag names."""
    choices: dict[str, Any] = {}
    ambiguous: list[str] = []
    unknown: list[str] = []
    for name in sorted(flags):
        if name not in LEGACY_FLAGS:
            unknown.append(name)
            continue
        key, yes_value, no_value = LEGACY_FLAGS[name]
        verdict = read_flag(flags[name])
        if verdict is None:
            ambiguous.append(name)
        value = yes_value if verdict else no_value
        # Two legacy flags may feed one key (e.g. public_profile and program_visible): the wider
        # explicit yes wins only if it was explicit; otherwise keep the narrower.
        if key in choices:
            order = ORDER[key]
            value = (
                value
                if order.index(value) > order.index(choices[key]) and verdict
                else choices[key]
            )
        choices[key] = value
    return choices, ambiguous, unknown


def plan_person(
    person_id: str, flags: dict[str, Any], current: dict[str, Any], legacy: str = ""
) -> PersonPlan:
    """What the migration would set for one person, given their current v2 choices."""
    mapped, ambiguous, unknown = map_legacy(flags)
    after = dict(current)
    for key, value in mapped.items():
        after[key] = narrower(key, value, current[key]) if key in current else value
    return PersonPlan(
        person_id=person_id,
        before=dict(current),
        after=after,
        ambiguous=ambiguous,
        unknown_flags=unknown,
        legacy=legacy,
    )
