"""app/analytics/weeks.py: ISO weeks, their UTC bounds in a zone, and the range rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.analytics.weeks import IsoWeek, WeekRangeError, week_of, week_range

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday of 2026-W10


def test_parse_and_print() -> None:
    assert IsoWeek.parse("2026-W05") == IsoWeek(2026, 5)
    assert str(IsoWeek(2026, 5)) == "2026-W05"
    assert IsoWeek.parse("2026-W53").monday == date(2026, 12, 28)  # 2026 has 53 weeks
    assert IsoWeek(2026, 1).monday == date(2025, 12, 29)
    for bad in ("2025-W53", "2026-W00", "2026-W54", "2026-W5", "26-W05", "2026W05", "2026-w05"):
        with pytest.raises(ValueError, match=r"ISO week|not a week"):
            IsoWeek.parse(bad)


def test_shifting_crosses_years() -> None:
    assert IsoWeek(2026, 1).shifted(-1) == IsoWeek(2025, 52)
    assert IsoWeek(2026, 52).shifted(1) == IsoWeek(2026, 53)
    assert IsoWeek(2026, 53).shifted(1) == IsoWeek(2027, 1)
    assert IsoWeek(2025, 52).weeks_until(IsoWeek(2026, 2)) == 2


def test_an_instant_falls_in_the_week_of_its_local_calendar() -> None:
    sunday_night = datetime(2026, 1, 18, 23, 30, tzinfo=UTC)
    monday_morning = datetime(2026, 1, 19, 0, 30, tzinfo=UTC)
    utc, berlin, new_york = ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
    assert (week_of(sunday_night, utc), week_of(monday_morning, utc)) == (
        IsoWeek(2026, 3),
        IsoWeek(2026, 4),
    )
    assert week_of(sunday_night, berlin) == week_of(monday_morning, berlin) == IsoWeek(2026, 4)
    assert week_of(sunday_night, new_york) == week_of(monday_morning, new_york) == IsoWeek(2026, 3)


def test_weeks_start_at_local_midnight_even_across_a_clock_change() -> None:
    weeks = week_range("2026-W04", "2026-W04", "Europe/Berlin", now=NOW)
    assert weeks.start == datetime(2026, 1, 18, 23, 0, tzinfo=UTC)
    assert weeks.end == datetime(2026, 1, 25, 23, 0, tzinfo=UTC)
    # Berlin moves to summer time on Sunday 2026-03-29: that week lasts 167 hours
    dst = week_range("2026-W13", "2026-W13", "Europe/Berlin", now=NOW).weeks[0]
    assert dst.start == datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
    assert dst.end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert dst.end - dst.start == timedelta(hours=167)
    assert dst.starts_on == date(2026, 3, 23)
    assert dst.param() == {"key": "2026-W13", "start": dst.start, "end": dst.end}


def test_default_ranges() -> None:
    weeks = week_range(None, None, None, now=NOW)
    assert (str(weeks.first), str(weeks.last), weeks.tz_name) == ("2025-W51", "2026-W10", "UTC")
    assert len(weeks.weeks) == 12
    assert weeks.keys[0] == "2025-W51"
    assert str(week_range("2026-W20", None, None, now=NOW).last) == "2026-W31"
    assert str(week_range(None, "2026-W02", None, now=NOW).first) == "2025-W43"
    # "now" is read in the zone: Sunday 23:30 UTC is already Monday (next week) in Berlin
    sunday = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    assert str(week_range(None, None, "Europe/Berlin", now=sunday).last) == "2026-W11"
    assert str(week_range(None, None, "UTC", now=sunday).last) == "2026-W10"


@pytest.mark.parametrize(
    ("first", "last", "tz", "field"),
    [
        ("2026-W10", "2026-W09", None, "from"),
        ("2024-W01", "2026-W01", None, "to"),
        ("bad", "2026-W01", None, "from"),
        ("2026-W01", "bad", None, "to"),
        ("2026-W01", "2026-W02", "Not/AZone", "tz"),
        ("2026-W01", "2026-W02", "", "tz"),
        ("9999-W51", "9999-W52", "Pacific/Kiritimati", "to"),
    ],
)
def test_bad_ranges_name_the_parameter(first: str, last: str, tz: str | None, field: str) -> None:
    with pytest.raises(WeekRangeError) as caught:
        week_range(first, last, tz, now=NOW)
    assert caught.value.field == field


def test_the_longest_range_is_104_weeks() -> None:
    assert len(week_range("2024-W02", "2026-W01", None, now=NOW).weeks) == 104
