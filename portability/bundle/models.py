"""The portable bundle body, schema version 2: what a bundle carries, item by item.

Every item has a stable `id` (its id in the issuing graph), so importing the same bundle twice
changes nothing. Contacts use jCard-compatible member names (RFC 7095: `fn`, `n`, `email`, `org`,
`title`, `categories`, `note`, `rev`). Only allow-listed fields exist here; whatever else the graph
holds never reaches a bundle.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from portability.vocabulary import ContactKind, MentorshipStatus, Role, Section, SessionStatus

SCHEMA_VERSION: Literal[2] = 2
SCHEMA_ID: Literal["https://rolodex.dev/schemas/bundle/v2.json"] = (
    "https://rolodex.dev/schemas/bundle/v2.json"
)
ItemId = str  # opaque, URL-safe; stable across exports


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Origin(Strict):
    """Where an item first came from, when the issuer imported it from another platform."""

    iss: str
    id: ItemId


class Identity(Strict):
    """The person's id on another platform that the issuer knows them by."""

    iss: str
    sub: ItemId


class Profile(Strict):
    id: ItemId
    display_name: str
    headline: str | None = None
    skills: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    timezone: str | None = None
    roles: list[Role] = Field(default_factory=list)
    identities: list[Identity] = Field(
        default_factory=list,
        description="The same person's ids at other platforms, so importers can match them.",
    )


class StructuredName(Strict):
    """jCard `n`: family and given names, as far as the owner recorded them."""

    family: str = ""
    given: str = ""


class Contact(Strict):
    """A rolodex contact, with only what the exporting person recorded about them."""

    id: ItemId
    origin: Origin | None = Field(
        default=None, description="Set when the issuer imported the item."
    )
    kind: ContactKind = Field(
        description="`person`: someone in the issuer's graph; `card`: inline."
    )
    fn: str = Field(description="Formatted name (jCard FN).")
    n: StructuredName | None = None
    email: str | None = None
    org: str | None = None
    title: str | None = None
    categories: list[str] = Field(
        default_factory=list, description="The relation, e.g. colleague, peer."
    )
    note: str | None = Field(default=None, description="The context the person recorded.")
    since: date | None = None
    rev: datetime | None = Field(default=None, description="When the contact was recorded.")


class Mentorship(Strict):
    id: ItemId
    origin: Origin | None = Field(
        default=None, description="Set when the issuer imported the item."
    )
    role: Role = Field(description="The exporting person's role in it.")
    counterpart_id: ItemId = Field(description="Opaque id of the other person; no profile data.")
    cohort_id: ItemId
    program_id: ItemId
    status: MentorshipStatus
    goals: list[str] = Field(default_factory=list)
    proposed_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None


class Session(Strict):
    id: ItemId
    origin: Origin | None = Field(
        default=None, description="Set when the issuer imported the item."
    )
    mentorship_id: ItemId
    status: SessionStatus
    scheduled_at: datetime
    requested_at: datetime | None = None
    responded_at: datetime | None = None
    sentiment_pre: int | None = Field(default=None, ge=1, le=5)
    sentiment_post: int | None = Field(default=None, ge=1, le=5)


class OutcomeMeasurement(Strict):
    id: ItemId
    origin: Origin | None = Field(
        default=None, description="Set when the issuer imported the item."
    )
    cohort_id: ItemId
    outcome_key: str
    outcome_name: str
    metric: str | None = None
    unit: str | None = None
    baseline: float | None = None
    target: float | None = None
    value: float
    measured_at: datetime


class PreferenceSnapshot(Strict):
    version: int
    choices: dict[str, bool | str]


class ConsentReference(Strict):
    consent_id: ItemId
    receipt: str = Field(
        description="The consent receipt (compact JWS) the bundle was exported under."
    )
    status_url: str = Field(description="GET it any time: active, revoked or expired.")


Scope = Section


class BundleBody(Strict):
    """Everything under the `rolodex` claim of a bundle."""

    schema_: Literal["https://rolodex.dev/schemas/bundle/v2.json"] = Field(
        default=SCHEMA_ID, alias="schema"
    )
    version: Literal[2] = SCHEMA_VERSION
    scopes: list[Scope]
    consent: ConsentReference
    profile: Profile | None = None
    contacts: list[Contact] | None = None
    mentorships: list[Mentorship] | None = None
    sessions: list[Session] | None = None
    outcomes: list[OutcomeMeasurement] | None = None
    preferences: PreferenceSnapshot | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class BundleClaims(Strict):
    """The JWT claims of a bundle (JWS payload, `typ` rolodex-bundle+jwt)."""

    iss: str = Field(description="The issuing Rolodex instance (its public URL).")
    sub: ItemId = Field(description="The person's portable id at the issuer.")
    aud: str = Field(description="The receiving platform id, or `self`.")
    iat: int
    nbf: int
    exp: int
    jti: ItemId = Field(description="Bundle id.")
    rolodex: BundleBody
