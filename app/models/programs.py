"""Program, cohort, outcome and measurement bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.models.common import (
    FiniteFloat,
    Id,
    Label,
    LongText,
    Name,
    RequestBody,
    ShortText,
    UtcDatetime,
)
from graph.programs import MAX_OUTCOMES, MIN_OUTCOMES

OutcomeKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]


class ProgramCreate(RequestBody):
    name: Name
    description: LongText | None = None


class Program(BaseModel):
    id: str
    name: str
    description: str | None
    created_at: datetime


class Outcome(RequestBody):
    key: OutcomeKey = Field(description="Stable key within the cohort, e.g. `role-readiness`.")
    name: Name
    metric: ShortText = Field(description="What is measured, e.g. `self-assessed readiness`.")
    baseline: FiniteFloat
    target: FiniteFloat
    unit: Label
    due_date: date


class CohortCreate(RequestBody):
    name: Name
    starts_on: date | None = None
    ends_on: date | None = None
    outcomes: list[Outcome] = Field(
        min_length=MIN_OUTCOMES,
        max_length=MAX_OUTCOMES,
        description=f"{MIN_OUTCOMES} to {MAX_OUTCOMES} measurable outcomes with distinct keys.",
    )

    @model_validator(mode="after")
    def _distinct_keys_and_ordered_dates(self) -> Self:
        keys = [outcome.key for outcome in self.outcomes]
        if len(set(keys)) != len(keys):
            raise ValueError("Outcome keys must be distinct within a cohort.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on cannot be before starts_on.")
        return self


class Cohort(BaseModel):
    id: str
    program_id: str
    name: str
    starts_on: date | None
    ends_on: date | None
    outcomes: list[Outcome]
    created_at: datetime


class MeasurementCreate(RequestBody):
    person_id: Id
    value: FiniteFloat
    measured_at: UtcDatetime


class Measurement(BaseModel):
    id: str
    cohort_id: str
    outcome_key: str
    person_id: str
    value: float
    measured_at: datetime
    recorded_at: datetime
