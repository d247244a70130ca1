"""Scoring and explaining mentor suggestions for a mentee.

The graph layer has already applied the hard filters it can see (discoverable, mentor role,
capacity left, no exclusion either way, no live mentorship together, in the cohort asked for);
`speaks` applies the language must-have. What remains is weighed, each part a score in [0, 1]:

| part | weight | score |
| --- | --- | --- |
| overlap | 0.45 | share of the mentee's interests and goals the mentor lists as skills |
| timezone | 0.20 | 1 - (hours between the two UTC offsets now) ÷ 12, floored at 0 |
| contacts | 0.15 | shared contacts (people both know over `KNOWS`), min(n, 3) ÷ 3 |
| program | 0.10 | 1 in a shared cohort, 0.5 in a shared program, else 0 |
| capacity | 0.10 | mentees the mentor can still take, min(n, 3) ÷ 3 |

The score is the weighted sum (weights add up to 1), rounded to 4 places; equal scores are
ordered by person id.

Candidates come first from a bounded pool (`graph.matching.POOL`: mentors sharing a want, a
cohort, a program or a contact with the mentee, each source capped). A mentor outside every
source shares none of those, so scores at most `OUTSIDE_POOL_AT_MOST` (time zone and capacity);
`pool_suffices` says when the pool's ranking is therefore the answer, else every discoverable
mentor is ranked. Each part that adds to the score brings one sentence naming what it found,
strongest contribution first. Shared contacts are named only when they are discoverable
themselves; the others are only counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.analytics.stats import rounded

Row = dict[str, Any]

WEIGHTS: dict[str, float] = {
    "overlap": 0.45,
    "timezone": 0.20,
    "contacts": 0.15,
    "program": 0.10,
    "capacity": 0.10,
}
OUTSIDE_POOL_AT_MOST = WEIGHTS["timezone"] + WEIGHTS["capacity"]
TIMEZONE_HORIZON_HOURS = 12.0
ENOUGH_CONTACTS = 3
ENOUGH_ROOM = 3
NAMED_AT_MOST = 3
LISTED_AT_MOST = 5


def terms(values: Iterable[str | None]) -> set[str]:
    """Comparable topic words: case-folded, inner whitespace collapsed, empties dropped."""
    return {" ".join(value.split()).casefold() for value in values if value and value.strip()}


def language(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag: `en-GB` → `en`."""
    return tag.strip().split("-")[0].split("_")[0].casefold()


def speaks(
    mentee_languages: Sequence[str], mentor_languages: Sequence[str], asked: str | None
) -> bool:
    """The language must-have: the mentor speaks the language asked for; without one, the two
    share at least one language (not checked when the mentee lists none)."""
    theirs = {language(tag) for tag in mentor_languages}
    if asked is not None:
        return language(asked) in theirs
    mine = {language(tag) for tag in mentee_languages}
    return not mine or bool(mine & theirs)


@lru_cache(maxsize=1024)
def utc_offset_hours(tz_name: str | None, now: datetime) -> float | None:
    """The zone's offset from UTC at `now`, in hours; None for a missing or unknown zone
    (cached: a ranking asks the same few zones for every candidate)."""
    if not tz_name:
        return None
    try:
        offset = now.astimezone(ZoneInfo(tz_name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return offset.total_seconds() / 3600 if offset is not None else None


def _listing(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _plural(count: float, word: str) -> str:
    return f"{count:g} {word}{'' if count == 1 else 's'}"


@dataclass
class Part:
    name: str
    score: float
    reason: str | None

    @property
    def contribution(self) -> float:
        return WEIGHTS[self.name] * self.score


def overlap_part(wants: set[str], skills: set[str]) -> Part:
    shared = sorted(wants & skills)
    if not shared:
        return Part("overlap", 0.0, None)
    named = shared[:LISTED_AT_MOST]
    more = len(shared) - len(named)
    listed = _listing([*named, f"{more} more"] if more else named)
    return Part("overlap", len(shared) / len(wants), f"You both care about {listed}.")


def timezone_part(hours_apart: float | None) -> Part:
    if hours_apart is None:
        return Part("timezone", 0.0, None)
    score = max(0.0, 1 - hours_apart / TIMEZONE_HORIZON_HOURS)
    if score == 0:
        return Part("timezone", 0.0, None)
    if hours_apart == 0:
        return Part("timezone", score, "You are in the same time zone right now.")
    return Part(
        "timezone",
        score,
        f"Your time zones are {_plural(hours_apart, 'hour')} apart right now.",
    )


def contacts_part(shared: int, named: Sequence[str]) -> Part:
    if shared <= 0:
        return Part("contacts", 0.0, None)
    score = min(shared, ENOUGH_CONTACTS) / ENOUGH_CONTACTS
    names = sorted(named)[:NAMED_AT_MOST]
    counted = "a contact" if shared == 1 else f"{shared} contacts"
    if not names:
        return Part("contacts", score, f"You share {counted}.")
    others = shared - len(names)
    listed = _listing([*names, _plural(others, "other")] if others else names)
    return Part("contacts", score, f"You share {counted}: {listed}.")


def program_part(cohorts: Sequence[str], programs: Sequence[str]) -> Part:
    if cohorts:
        return Part("program", 1.0, f"You are both in the cohort {_listing(sorted(cohorts))}.")
    if programs:
        return Part("program", 0.5, f"You are both in the program {_listing(sorted(programs))}.")
    return Part("program", 0.0, None)


def capacity_part(room: int) -> Part:
    if room <= 0:
        return Part("capacity", 0.0, None)
    return Part(
        "capacity",
        min(room, ENOUGH_ROOM) / ENOUGH_ROOM,
        f"They have room for {room} more {'mentee' if room == 1 else 'mentees'}.",
    )


@dataclass
class Match:
    person_id: str
    display_name: str
    score: float
    reasons: list[str] = field(default_factory=list)


def score_candidate(mentee: Row, candidate: Row, now: datetime) -> Match:
    """Score one candidate; `mentee` has `wants` (set of terms) and `timezone`."""
    mine, theirs = (
        utc_offset_hours(mentee.get("timezone"), now),
        utc_offset_hours(candidate.get("timezone"), now),
    )
    parts = [
        overlap_part(mentee["wants"], terms(candidate.get("skills") or [])),
        timezone_part(abs(mine - theirs) if mine is not None and theirs is not None else None),
        contacts_part(candidate.get("shared_contacts", 0), candidate.get("named_contacts", [])),
        program_part(candidate.get("shared_cohorts", []), candidate.get("shared_programs", [])),
        capacity_part(candidate["capacity_left"]),
    ]
    order = list(WEIGHTS)
    contributing = sorted(
        (part for part in parts if part.reason and part.contribution > 0),
        key=lambda part: (-part.contribution, order.index(part.name)),
    )
    total = sum(part.contribution for part in parts)
    return Match(
        person_id=candidate["person_id"],
        display_name=candidate.get("display_name") or "",
        score=rounded(min(total, 1.0)) or 0.0,
        reasons=[part.reason for part in contributing if part.reason],
    )


def rank(
    mentee: Row,
    candidates: Iterable[Row],
    *,
    now: datetime,
    limit: int,
    language_asked: str | None = None,
) -> list[Match]:
    """The best `limit` candidates who pass the language must-have, best first; equal scores
    by person id."""
    wants = terms([*(mentee.get("interests") or []), *(mentee.get("goals") or [])])
    scored = [
        score_candidate({**mentee, "wants": wants}, candidate, now)
        for candidate in candidates
        if speaks(mentee.get("languages") or [], candidate.get("languages") or [], language_asked)
    ]
    scored.sort(key=lambda match: (-match.score, match.person_id))
    return scored[:limit]


def pool_suffices(ranked: Sequence[Match], limit: int) -> bool:
    """True when the pool's best `limit` are the answer: there are `limit` of them and the last
    scores more than any mentor outside the pool can (`OUTSIDE_POOL_AT_MOST`)."""
    return len(ranked) >= limit and ranked[limit - 1].score > OUTSIDE_POOL_AT_MOST
