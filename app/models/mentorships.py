"""Mentorship bodies: a proposal, a status change, and the mentorship returned."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.models.common import Id, Reason, RequestBody, ShortText, UtcDatetime
from graph.mentorships import MentorshipStatus, Proposer


class MentorshipCreate(RequestBody):
    mentor_id: Id
    mentee_id: Id
    cohort_id: Id
    goals: list[ShortText] = Field(default_factory=list, max_length=10)


class MentorshipPatch(RequestBody):
    status: MentorshipStatus = Field(
        description="proposed → active | declined; active ⇄ paused; "
        "active | paused → completed | abandoned. Anything else is refused with 409."
    )
    reason: Reason | None = Field(
        default=None, description="Kept as `end_reason` when it ends, `pause_reason` when paused."
    )
    started_at: UtcDatetime | None = Field(
        default=None,
        description="Admins entering history: when a proposed mentorship becomes active, the "
        "date it really started (not in the future; default now). Sessions cannot be scheduled "
        "before a mentorship's start.",
    )


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
