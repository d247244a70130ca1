"""Field types shared by request and response bodies: UTC timestamps, trimmed text, emails, ids.

Timestamps must carry a time zone (a naive one is refused with 422); they are converted to UTC and
returned in UTC (`…Z`). Request bodies refuse unknown fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from graph.ids import URL_SAFE_ID


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _iso_8601_only(value: Any) -> Any:
    """Refuse what pydantic would otherwise read as a Unix timestamp (`12345`, `"0.5"`): the
    documented format is an ISO 8601 string."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
        raise ValueError("expected an ISO 8601 date-time with a time zone")
    return value


_ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]")

UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_8601_only), AfterValidator(_to_utc)]
"""A timezone-aware ISO 8601 timestamp, kept in UTC."""


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Id = Annotated[str, StringConstraints(max_length=128, pattern=URL_SAFE_ID.pattern)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


def unique(values: Iterable[str]) -> list[str]:
    """Drop repeats (case-insensitively), keeping the first spelling and the order."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


class RequestBody(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PatchBody(RequestBody):
    """Base of PATCH bodies: only the fields sent change; `null` clears a field that may be empty,
    and is refused for the fields listed in `not_nullable`."""

    not_nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _some_change_and_no_forbidden_null(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("Send at least one field to change.")
        nulled = sorted(
            name
            for name in self.model_fields_set & self.not_nullable
            if getattr(self, name) is None
        )
        if nulled:
            raise ValueError(f"These fields cannot be null: {', '.join(nulled)}.")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields sent, with their validated values."""
        return {name: getattr(self, name) for name in self.model_fields_set}
