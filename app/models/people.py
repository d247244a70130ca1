"""Person bodies: create, patch and the profile returned."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, ClassVar
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints

from app.models.common import Email, Id, Label, Name, PatchBody, RequestBody, ShortText, unique
from graph.people import PersonRole


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _iana_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError("Not an IANA time zone name (e.g. Europe/London).")
    return value


def _roles(values: list[PersonRole]) -> list[PersonRole]:
    return [PersonRole(value) for value in unique(values)]


Timezone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_iana_zone)]
Tags = Annotated[list[Label], Field(max_length=50), AfterValidator(unique)]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
Languages = Annotated[
    list[Language],
    Field(max_length=20, description="BCP 47 language tags, e.g. `en`, `pt-BR`."),
    AfterValidator(unique),
]
Roles = Annotated[list[PersonRole], Field(min_length=1, max_length=2), AfterValidator(_roles)]
Capacity = Annotated[
    int,
    Field(
        ge=0,
        le=50,
        description="Most live mentorships (proposed, active or paused) a mentor takes.",
    ),
]


class PersonFields(RequestBody):
    display_name: Name
    headline: ShortText | None = None
    skills: Tags = Field(default_factory=list)
    interests: Tags = Field(default_factory=list)
    languages: Languages = Field(default_factory=list)
    timezone: Timezone | None = Field(default=None, description="IANA name, e.g. Europe/London.")
    roles: Roles
    capacity: Capacity = 0
    discoverable: bool = Field(
        default=False,
        description="Opt in to being suggested as a match and shown in others' networks.",
    )
    email: Email | None = None


class PersonCreate(PersonFields):
    cohort_id: Id | None = Field(
        default=None,
        description="Admins only: enrol the new person in this cohort of a program they "
        "administer (required for admins of specific programs).",
    )


class PersonPatch(PatchBody):
    not_nullable: ClassVar[frozenset[str]] = frozenset(
        {"display_name", "skills", "interests", "languages", "roles", "capacity", "discoverable"}
    )

    display_name: Name | None = None
    headline: ShortText | None = None
    skills: Tags | None = None
    interests: Tags | None = None
    languages: Languages | None = None
    timezone: Timezone | None = None
    roles: Roles | None = None
    capacity: Capacity | None = None
    discoverable: bool | None = None
    email: Email | None = None


def _none_is_empty(value: object) -> object:
    return [] if value is None else value


StoredTags = Annotated[list[str], BeforeValidator(_none_is_empty)]


class Person(BaseModel):
    """A person's profile as its owner and their admins see it.

    It describes what is stored rather than re-checking input rules: people imported from
    partner bundles keep what their platform sent (no role yet, tags longer or more numerous than
    this API accepts, a time zone name it does not know), and reading them must not fail."""

    id: str
    display_name: str
    headline: str | None = None
    skills: StoredTags = Field(default_factory=list)
    interests: StoredTags = Field(default_factory=list)
    languages: StoredTags = Field(default_factory=list)
    timezone: str | None = Field(default=None, description="IANA name, e.g. Europe/London.")
    roles: list[PersonRole] = Field(
        description="Empty for a person imported from a partner who has no role here yet."
    )
    capacity: int
    discoverable: bool
    email: str | None = None
    created_at: datetime
    updated_at: datetime
