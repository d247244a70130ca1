"""The preference schema (version 2) and how layers resolve.

Layers, weakest first: system defaults (the narrowest sharing) < program defaults < the person's
explicit choices < per-audience overrides. `discoverable` is never set by a program default: being
suggested as a match or shown in others' networks needs the person's own opt-in.

Every key has an order from narrow to wide, used wherever two values meet and the safe answer is
the narrower one (several programs' defaults, legacy migration).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal[2] = 2

Visibility = Literal["private", "program", "public"]

# Narrow → wide for every key.
ORDER: dict[str, tuple[Any, ...]] = {
    "discoverable": (False, True),
    "profile_visibility": ("private", "program", "public"),
    "share_contacts": (False, True),
    "share_outcomes": (False, True),
    "match_suggestions": (False, True),
}
SYSTEM_DEFAULTS: dict[str, Any] = {
    "discoverable": False,
    "profile_visibility": "private",
    "share_contacts": False,
    "share_outcomes": False,
    "match_suggestions": False,
}
PROGRAM_SETTABLE = frozenset(ORDER) - {"discoverable"}


class Layer(BaseModel):
    """A layer of explicit values; absent (null) keys fall through to the layer below."""

    model_config = ConfigDict(extra="forbid", strict=True)

    def values(self) -> dict[str, Any]:
        return {key: value for key, value in self.model_dump().items() if value is not None}


class Choices(Layer):
    """The person's own choices."""

    discoverable: bool | None = None
    profile_visibility: Visibility | None = None
    share_contacts: bool | None = None
    share_outcomes: bool | None = None
    match_suggestions: bool | None = None


class ProgramDefaults(Layer):
    """A program's defaults for its members (never discoverability)."""

    profile_visibility: Visibility | None = None
    share_contacts: bool | None = None
    share_outcomes: bool | None = None
    match_suggestions: bool | None = None


class AudienceOverride(Layer):
    """Values that apply to one audience (platform) only."""

    profile_visibility: Visibility | None = None
    share_contacts: bool | None = None
    share_outcomes: bool | None = None


class Preferences(BaseModel):
    """What a person sets: their choices and per-audience overrides."""

    model_config = ConfigDict(extra="forbid", strict=True)

    version: Literal[2] = SCHEMA_VERSION
    choices: Choices = Field(default_factory=Choices)
    overrides: dict[str, AudienceOverride] = Field(
        default_factory=dict,
        description="Per audience (platform id): values that apply to it alone.",
    )


def narrower(key: str, a: Any, b: Any) -> Any:
    """The narrower of two values of `key`."""
    order = ORDER[key]
    return a if order.index(a) <= order.index(b) else b


def program_layer(defaults_by_program: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, str]]:
    """Combine several programs' defaults, keeping the narrowest value per key (and naming its program)."""
    combined: dict[str, tuple[Any, str]] = {}
    for program_id in sorted(defaults_by_program):
        for key, value in defaults_by_program[program_id].items():
            if key not in PROGRAM_SETTABLE:
                continue
            if key not in combined or narrower(key, value, combined[key][0]) != combined[key][0]:
                combined[key] = (value, f"program:{program_id}")
    return combined


def resolve(
    preferences: Preferences, defaults_by_program: dict[str, dict[str, Any]], audience: str | None
) -> dict[str, dict[str, Any]]:
    """Each key's effective value and the layer it came from."""
    effective: dict[str, dict[str, Any]] = {
        key: {"value": value, "source": "system"} for key, value in SYSTEM_DEFAULTS.items()
    }
    for key, (value, source) in program_layer(defaults_by_program).items():
        effective[key] = {"value": value, "source": source}
    for key, value in preferences.choices.values().items():
        effective[key] = {"value": value, "source": "person"}
    if audience is not None and audience in preferences.overrides:
        for key, value in preferences.overrides[audience].values().items():
            effective[key] = {"value": value, "source": f"audience:{audience}"}
    return effective
