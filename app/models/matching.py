"""Mentor suggestions and exclusions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Match(BaseModel):
    person_id: str
    display_name: str
    score: float = Field(ge=0, le=1, description="Weighted match score in [0, 1].")
    reasons: list[str] = Field(description="Why this mentor, strongest reason first.")


class Matches(BaseModel):
    person_id: str
    matches: list[Match]


class Exclusion(BaseModel):
    person_id: str = Field(description="The person excluded from matches.")
    created_at: datetime


class Exclusions(BaseModel):
    items: list[Exclusion]
