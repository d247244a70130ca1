"""ISO weeks ("2026-W05") in a time zone, and the range of weeks a metrics request covers.

A week runs from Monday 00:00 to the next Monday 00:00 *local time* in the zone asked for (UTC by
default), so a session at 23:30 on Sunday UTC and one at 00:30 on Monday UTC fall in two weeks,
and in `Europe/Berlin` both fall in the later one. Each week is handed to the graph layer as a
half-open interval of UTC instants `[start, end)`, so Cypher never needs to know the zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_WEEKS = 104
DEFAULT_WEEKS = 12
WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class WeekRangeError(ValueError):
    """A bad `from`, `to` or `tz`; `field` names the query parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`2026-W05` → IsoWeek(2026, 5); ValueError for anything else, including a week 53 in a
        year that has only 52."""
        found = WEEK_PATTERN.match(text)
        if found is None:
            raise ValueError(f"{text!r} is not an ISO week like 2026-W05.")
        year, week = int(found.group(1)), int(found.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError as error:
            raise ValueError(f"{text!r} is not a week of {year}.") from error
        return cls(year, week)

    @classmethod
    def parse_bound(cls, text: str) -> IsoWeek:
        """A range bound: an ISO week (`2026-W05`) or a date (`2026-02-03`, taken as the ISO week
        holding it, as the dashboard's filter does); ValueError for anything else."""
        if DATE_PATTERN.match(text):
            try:
                return cls.containing(date.fromisoformat(text))
            except ValueError as error:
                raise ValueError(f"{text!r} is not a calendar date.") from error
        try:
            return cls.parse(text)
        except ValueError as error:
            raise ValueError(
                f"{text!r} is neither an ISO week like 2026-W05 nor a date like 2026-02-03."
            ) from error

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        calendar = day.isocalendar()
        return cls(calendar.year, calendar.week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(weeks=weeks))

    def weeks_until(self, other: IsoWeek) -> int:
        """How many weeks `other` lies after this one (negative when before)."""
        return (other.monday - self.monday).days // 7

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; WeekRangeError (field `tz`) when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise WeekRangeError("tz", f"{name!r} is not an IANA time zone name.") from error


def week_of(moment: datetime, tz: ZoneInfo) -> IsoWeek:
    """The ISO week an instant falls in, on the local calendar of `tz`."""
    return IsoWeek.containing(moment.astimezone(tz).date())


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Week:
    """One week of a range: its key, its Monday, and its UTC interval `[start, end)`."""

    key: str
    starts_on: date
    start: datetime
    end: datetime

    def param(self) -> dict[str, Any]:
        """The week as a Cypher parameter map."""
        return {"key": self.key, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class WeekRange:
    first: IsoWeek
    last: IsoWeek
    tz_name: str
    weeks: tuple[Week, ...]

    @property
    def start(self) -> datetime:
        return self.weeks[0].start

    @property
    def end(self) -> datetime:
        return self.weeks[-1].end

    @property
    def keys(self) -> list[str]:
        return [week.key for week in self.weeks]

    def params(self) -> list[dict[str, Any]]:
        return [week.param() for week in self.weeks]


def week_range(
    first: str | None, last: str | None, tz_name: str | None, *, now: datetime
) -> WeekRange:
    """The weeks from `first` to `last` (both included) in zone `tz_name` (default UTC); each
    bound is an ISO week or a date (the week holding it).

    Missing bounds default to the 12 weeks ending with the week `now` falls in (in that zone);
    a missing `first` counts back from `last`, a missing `last` runs 12 weeks on from `first`.
    More than 104 weeks, or `first` after `last`, is a WeekRangeError.
    """
    name = "UTC" if tz_name is None else tz_name
    tz = zone(name)
    parsed: dict[str, IsoWeek | None] = {}
    for field, text in (("from", first), ("to", last)):
        try:
            parsed[field] = IsoWeek.parse_bound(text) if text is not None else None
        except ValueError as error:
            raise WeekRangeError(field, str(error)) from error
    start_week, end_week = parsed["from"], parsed["to"]
    if start_week is None and end_week is None:
        end_week = week_of(now, tz)
    if start_week is None:
        assert end_week is not None
        start_week = end_week.shifted(-(DEFAULT_WEEKS - 1))
    if end_week is None:
        end_week = start_week.shifted(DEFAULT_WEEKS - 1)
    span = start_week.weeks_until(end_week) + 1
    if span < 1:
        raise WeekRangeError("from", f"from ({start_week}) is after to ({end_week}).")
    if span > MAX_WEEKS:
        raise WeekRangeError(
            "to", f"The range covers {span} weeks; ask for at most {MAX_WEEKS} at a time."
        )
    try:
        weeks = tuple(_week(start_week.shifted(i), tz) for i in range(span))
    except (OverflowError, ValueError) as error:
        raise WeekRangeError("to", "The range runs past the dates this API handles.") from error
    return WeekRange(start_week, end_week, name, weeks)


def _week(week: IsoWeek, tz: ZoneInfo) -> Week:
    monday = week.monday
    return Week(
        key=str(week),
        starts_on=monday,
        start=local_midnight(monday, tz),
        end=local_midnight(monday + timedelta(days=7), tz),
    )
