"""Fast-fail signals: the rules that flag a live mentorship for an admin's attention.

Each rule reads one row of `graph.metrics.fast_fail_rows` (a live mentorship with facts about its
sessions, aggregated in Cypher) and says, in a sentence, why it fired.
The rules describe the mentorship's state *now*, so a flag clears once the mentorship recovers
(docs/metrics.md):

- `no-completed-session-14-days`: active, started at least 14 days ago, no completed session yet.
- `two-no-shows-in-a-row`: its last two sessions that were held or missed (completed or no-show,
  by scheduled time; cancellations and sessions still to come are skipped) were both no-shows.
- `sentiment-drop`: its latest completed session with both sentiments has post - pre ≤ -1.
- `response-sla-breached-twice`: at least two of its requests breached the response target:
  answered later than the target, or still unanswered (session still scheduled) past it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

Row = dict[str, Any]

FIRST_SESSION_WITHIN = timedelta(days=14)
SENTIMENT_DROP = -1
SLA_BREACHES = 2
PREFILTER = {"sentiment_drop": SENTIMENT_DROP, "breaches": SLA_BREACHES}
"""The thresholds `graph.metrics.fast_fail_rows` pre-filters with, so only mentorships that may
show a signal leave the database."""


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _hours(value: float) -> str:
    return f"{value:g} hour{'s' if value != 1 else ''}"


def no_completed_session(row: Row, now: datetime) -> str | None:
    started = row["started_at"]
    if row["status"] != "active" or started is None or row["completed"] > 0:
        return None
    if now - started < FIRST_SESSION_WITHIN:
        return None
    days = (now - started).days
    return (
        f"No session has been completed in the {days} days since the mentorship started "
        f"on {_day(started)}."
    )


def two_no_shows(row: Row) -> str | None:
    """`last_two`: the last two held-or-missed sessions, latest first."""
    last_two = row["last_two"]
    if len(last_two) == 2 and all(s["status"] == "no_show" for s in last_two):
        later, earlier = (s["scheduled_at"] for s in last_two)
        return f"The last two sessions ({_day(earlier)} and {_day(later)}) were both no-shows."
    return None


def sentiment_drop(row: Row) -> str | None:
    if not row["latest_sentiment"]:
        return None
    latest = row["latest_sentiment"][0]
    delta = latest["post"] - latest["pre"]
    if delta > SENTIMENT_DROP:
        return None
    return (
        f"Sentiment fell by {-delta:g} point{'s' if delta != -1 else ''} in the latest session "
        f"({_day(latest['scheduled_at'])}): {latest['pre']:g} before, {latest['post']:g} after."
    )


def sla_breaches(row: Row, target_hours: float) -> str | None:
    """`answered_late` and `unanswered` were counted against the target by the query."""
    late, unanswered = row["answered_late"], row["unanswered"]
    if late + unanswered < SLA_BREACHES:
        return None
    parts = [
        f"{count} {what}"
        for count, what in ((late, "answered late"), (unanswered, "still unanswered"))
        if count
    ]
    return (
        f"{late + unanswered} requests breached the {_hours(target_hours)} response target "
        f"({' and '.join(parts)})."
    )


def signals(row: Row, *, now: datetime, target_hours: float) -> list[tuple[str, str]]:
    """The (code, detail) pairs that fire for this mentorship, in a fixed order."""
    found = (
        ("no-completed-session-14-days", no_completed_session(row, now)),
        ("two-no-shows-in-a-row", two_no_shows(row)),
        ("sentiment-drop", sentiment_drop(row)),
        ("response-sla-breached-twice", sla_breaches(row, target_hours)),
    )
    return [(code, detail) for code, detail in found if detail is not None]


def flagged(rows: list[Row], *, now: datetime, target_hours: float) -> list[Row]:
    """The mentorships with at least one signal, each with its reasons (order kept)."""
    items = []
    for row in rows:
        reasons = signals(row, now=now, target_hours=target_hours)
        if reasons:
            items.append(
                {
                    **{
                        key: row[key]
                        for key in (
                            "mentorship_id",
                            "mentor_id",
                            "mentee_id",
                            "cohort_id",
                            "program_id",
                        )
                    },
                    "reasons": [{"code": code, "detail": detail} for code, detail in reasons],
                }
            )
    return items
