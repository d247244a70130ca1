"""Rolodex contact bodies: another person in the graph, or an inline card."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.models.common import Email, Id, Label, Name, PatchBody, RequestBody, ShortText
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


class ContactFields(BaseModel):
    """What an owner records about a contact, every field optional: the fields read from an
    imported vCard are checked with it like a contact added by hand."""

    name: Name | None = None
    email: Email | None = None
    organisation: ShortText | None = None
    title: ShortText | None = None
    relation: Label | None = None
    context: Context | None = None
    since: date | None = None


class ContactPatch(PatchBody, ContactFields):
    """Only the fields sent change, `null` clears one. A card keeps a name; a person contact
    without one shows the person's display name."""


class CardOutcome(BaseModel):
    index: int = Field(description="The card's position in the file, from 1.")
    name: str | None
    outcome: Literal["created", "updated", "skipped"]
    contact_id: str | None = Field(description="The contact created, updated or matched.")
    reason: str | None = Field(description="Why a card was skipped, or what it matched.")
    changed: list[str] = Field(default_factory=list, description="The fields written.")


class VCardImportReport(BaseModel):
    created: int
    updated: int
    skipped: int
    cards: list[CardOutcome]
