"""Rolodex contact bodies: another person in the graph, or an inline card."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.models.common import Email, Id, Label, Name, RequestBody, ShortText
from app.models.common import LongText as Context


class ContactCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["person_id"], "properties": {"person_id": {"type": "string"}}},
                {"required": ["name"], "properties": {"name": {"type": "string"}}},
            ]
        }
    )

    person_id: Id | None = Field(
        default=None,
        description="Another person in the graph (discoverable, or already connected to the "
        "owner). Without it the contact is an inline card, which needs a `name`.",
    )
    name: Name | None = Field(
        default=None,
        description="The name as the owner records it (a person's display name "
        "stands in when omitted for a person contact).",
    )
    email: Email | None = None
    organisation: ShortText | None = None
    title: ShortText | None = None
    relation: Label | None = Field(
        default=None, description="e.g. colleague, peer, manager, met-at-event."
    )
    context: Context | None = None
    since: date | None = None

    @model_validator(mode="after")
    def _card_needs_a_name(self) -> Self:
        if self.person_id is None and self.name is None:
            raise ValueError("An inline card needs a name (or give person_id for a person).")
        return self


class Contact(BaseModel):
    id: str
    kind: Literal["person", "card"]
    person_id: str | None
    name: str | None
    email: str | None
    organisation: str | None
    title: str | None
    relation: str | None
    context: str | None
    since: date | None
    source: str
    created_at: datetime
