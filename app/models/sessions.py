"""Session bodies: scheduling, the update after it, and the session returned."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field

from app.models.common import LongText, PatchBody, RequestBody, UtcDatetime
from graph.sessions import SessionStatus

Sentiment = Annotated[int, Field(ge=1, le=5, description="1 (bad) to 5 (great).")]


class SessionCreate(RequestBody):
    scheduled_at: UtcDatetime
    requested_at: UtcDatetime | None = Field(
        default=None, description="When the mentee asked for the session (response SLA)."
    )


class SessionPatch(PatchBody):
    not_nullable: ClassVar[frozenset[str]] = frozenset({"status"})

    status: SessionStatus | None = Field(
        default=None,
        description="A scheduled session becomes completed, no_show or cancelled, once.",
    )
    responded_at: UtcDatetime | None = None
    sentiment_pre: Sentiment | None = None
    sentiment_post: Sentiment | None = None
    notes: LongText | None = None


class Session(BaseModel):
    id: str
    mentorship_id: str
    status: SessionStatus
    scheduled_at: datetime
    requested_at: datetime | None
    responded_at: datetime | None
    sentiment_pre: int | None
    sentiment_post: int | None
    notes: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    cancelled_at: datetime | None
