"""Mentorship bodies: a proposal, a status change, and the mentorship returned."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from app.models.common import Id, Reason, RequestBody, ShortText, UtcDatetime
from graph.mentorships import MentorshipStatus, Proposer


class MentorshipCreate(RequestBody):
    mentor_id: Id
    mentee_id: Id
    cohort_id: Id
    goals: list[ShortText] = Field(default_factory=list, max_length=10)


class MentorshipPatch(RequestBody):
    """Either a status change (with an optional reason) or, for admins entering history, an
    earlier `started_at` on its own."""

    status: MentorshipStatus | None = Field(
        default=None,
        description="proposed → active | declined; active ⇄ paused; "
        "active | paused → completed | abandoned. Anything else is refused with 409.",
    )
    reason: Reason | None = Field(
        default=None, description="Kept as `end_reason` when it ends, `pause_reason` when paused."
    )
    started_at: UtcDatetime | None = Field(
        default=None,
        description="Admins of the program entering history, sent alone: move a started "
        "mentorship's start earlier (never later, never into the future). Sessions cannot be "
        "scheduled before a mentorship's start.",
    )

    @model_validator(mode="after")
    def _status_or_started_at(self) -> MentorshipPatch:
        if (self.status is None) == (self.started_at is None):
            raise ValueError("send either status (with an optional reason) or started_at alone")
        if self.started_at is not None and self.reason is not None:
            raise ValueError("reason goes with a status change, not with started_at")
        return self


class Mentorship(BaseModel):
    id: str
    mentor_id: str
    mentee_id: str
    cohort_id: str
    program_id: str
    status: MentorshipStatus
    goals: list[str]
    proposed_by: Proposer
    proposed_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    pause_reason: str | None
    updated_at: datetime
