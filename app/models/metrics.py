"""Response bodies of the metrics routes: weekly program metrics, network growth, fast-fail
signals and outcome attainment. A figure with no data is `null`, never 0 (docs/metrics.md)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class ResponseSla(BaseModel):
    p50_hours: float | None
    p90_hours: float | None
    within_target_share: float | None = Field(
        description="Share of answered requests answered within the SLA target."
    )
    samples: int = Field(description="Answered requests made in the week.")


class Dropout(BaseModel):
    rate: float | None = Field(description="early_abandoned ÷ started.")
    median_days_to_abandon: float | None
    early_abandoned: int = Field(
        description="Mentorships started in the week, abandoned before their third completed session."
    )
    started: int = Field(description="Mentorships started (accepted) in the week.")


class MentorCadence(BaseModel):
    sessions_per_active_mentorship: float | None
    median_days_between_sessions: float | None


class MatchingAccuracy(BaseModel):
    acceptance_rate: float | None = Field(
        description="Of the week's proposals decided so far, the share accepted."
    )
    retained_after_3_sessions: float | None = Field(
        description="Of the mentorships started in the week whose fate is known, the share that "
        "reached three completed sessions before ending."
    )


class RefusedImports(BaseModel):
    platform_id: str = Field(
        description="The authenticated partner's platform; else the registered platform the "
        "bundle names as issuer; else `unknown`."
    )
    problem: str = Field(
        description="The problem type's slug (`https://rolodex.dev/problems/<problem>`).",
        examples=["signature-invalid"],
    )
    count: int


class Portability(BaseModel):
    bundles_exported: int
    imports_accepted: int
    imports_rejected: int | None = Field(
        description="Imports refused in the week (dry runs aside). null when filtered by program "
        "or cohort: a refused bundle belongs to nobody."
    )
    rejections: list[RefusedImports] | None = Field(
        description="imports_rejected by platform and problem type, ordered by platform, then "
        "problem; null when filtered by program or cohort."
    )
    partner_platforms: int


class WeekMetrics(BaseModel):
    week: str = Field(examples=["2026-W05"])
    starts_on: date = Field(description="The Monday the week starts on (in `tz`).")
    session_completion_rate: float | None
    sessions_counted: int = Field(
        description="Completed + no-show + cancelled less than 24 h before the start."
    )
    response_sla: ResponseSla
    sentiment_delta: float | None
    dropout: Dropout
    mentor_cadence: MentorCadence
    matching: MatchingAccuracy
    portability: Portability


class WeeklyMetrics(BaseModel):
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    tz: str
    program_id: str | None
    cohort_id: str | None
    sla_target_hours: float
    weeks: list[WeekMetrics]


class NetworkWeek(BaseModel):
    week: str
    starts_on: date
    new_people: int
    new_contacts: int
    new_mentorships: int
    cumulative_people: int
    cumulative_contacts: int
    cumulative_mentorships: int


class DegreeBucket(BaseModel):
    degree: int = Field(
        description="Lowest degree of the bucket: exact up to 9, then 10-19, 20-49, 50-99, …"
    )
    people: int


class NetworkMetrics(BaseModel):
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    weeks: list[NetworkWeek]
    mean_degree: float | None
    degree_histogram: list[DegreeBucket]
    largest_component_share: float | None
    median_two_hop_reach: float | None
    estimated: bool = Field(description="True when a figure was estimated from a sample.")
    sample_size: int | None = Field(description="People sampled for the 2-hop reach, if sampled.")


class SignalCode(StrEnum):
    NO_COMPLETED_SESSION = "no-completed-session-14-days"
    TWO_NO_SHOWS = "two-no-shows-in-a-row"
    SENTIMENT_DROP = "sentiment-drop"
    SLA_BREACHED_TWICE = "response-sla-breached-twice"


class Signal(BaseModel):
    code: SignalCode
    detail: str


class FlaggedMentorship(BaseModel):
    mentorship_id: str
    mentor_id: str
    mentee_id: str
    cohort_id: str
    program_id: str
    reasons: list[Signal]


class FastFail(BaseModel):
    items: list[FlaggedMentorship]


class LatestMeasurement(BaseModel):
    person_id: str
    value: float
    measured_at: datetime


class OutcomeAttainment(BaseModel):
    key: str
    name: str
    metric: str
    unit: str
    baseline: float
    target: float
    due_date: date
    mentees: int
    at_or_above_target: int
    attainment_share: float | None
    latest: list[LatestMeasurement]


class CohortOutcomes(BaseModel):
    cohort_id: str
    outcomes: list[OutcomeAttainment]
