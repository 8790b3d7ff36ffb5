"""A service's business calendar: wall-clock times, hours that make sense, stored as JSON."""

from __future__ import annotations

from datetime import date, time

import pytest

from catalog.services.calendar import (
    BusinessCalendar,
    InvalidCalendar,
    Weekday,
    WeeklyHours,
    parse_wall_time,
)


def _calendar(*hours: WeeklyHours, time_zone: str = "Europe/Paris") -> BusinessCalendar:
    return BusinessCalendar(time_zone=time_zone, weekly_hours=hours, holidays=())


def _hours(day: Weekday, start: str, end: str) -> WeeklyHours:
    return WeeklyHours(day, parse_wall_time(start), parse_wall_time(end))


def _refusal(calendar: BusinessCalendar) -> tuple[str, tuple[str, ...]]:
    with pytest.raises(InvalidCalendar) as raised:
        calendar.validate()
    return str(raised.value), raised.value.path


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00", time(0, 0)), ("09:30", time(9, 30)), ("23:59", time(23, 59))],
)
def test_wall_time_is_hours_and_minutes(text: str, expected: time) -> None:
    assert parse_wall_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["9:00", "09:00\n", "24:00", "12:60", "09:00:00", "09:00+02:00", "09:00Z", "0900", "", "noon"],
)
def test_anything_but_hh_mm_is_refused(text: str) -> None:
    with pytest.raises(InvalidCalendar, match=r"is not a time of day \(HH:MM\)"):
        parse_wall_time(text)


def test_split_days_and_adjacent_spans_are_valid() -> None:
    calendar = _calendar(
        _hours(Weekday.MONDAY, "09:00", "12:00"),
        _hours(Weekday.MONDAY, "12:00", "17:00"),
        _hours(Weekday.TUESDAY, "09:00", "17:00"),
    )

    assert calendar.validate() is calendar


@pytest.mark.parametrize("time_zone", ["Europe/Atlantis", "europe/paris", "Europe", "", "../etc"])
def test_unknown_time_zone_is_refused(time_zone: str) -> None:
    calendar = _calendar(_hours(Weekday.MONDAY, "09:00", "17:00"), time_zone=time_zone)

    assert _refusal(calendar) == (f"unknown time zone {time_zone!r}", ("timeZone",))


def test_calendar_without_hours_is_refused() -> None:
    assert _refusal(_calendar()) == (
        "a business calendar needs weekly hours; leave it out for 24x7",
        ("weeklyHours",),
    )


def test_hours_that_end_before_they_start_are_refused_by_index() -> None:
    calendar = _calendar(
        _hours(Weekday.MONDAY, "09:00", "17:00"),
        _hours(Weekday.FRIDAY, "17:00", "09:00"),
    )

    assert _refusal(calendar) == (
        "FRIDAY hours must start before they end",
        ("weeklyHours", "1"),
    )


def test_empty_span_is_refused() -> None:
    calendar = _calendar(_hours(Weekday.MONDAY, "09:00", "09:00"))

    assert _refusal(calendar) == ("MONDAY hours must start before they end", ("weeklyHours", "0"))


def test_overlap_names_the_later_span_in_the_callers_order() -> None:
    calendar = _calendar(
        _hours(Weekday.MONDAY, "13:00", "17:00"),
        _hours(Weekday.TUESDAY, "09:00", "17:00"),
        _hours(Weekday.MONDAY, "09:00", "13:30"),
    )

    assert _refusal(calendar) == ("MONDAY hours overlap", ("weeklyHours", "0"))


def test_json_round_trip_sorts_and_deduplicates_holidays() -> None:
    calendar = BusinessCalendar(
        time_zone="America/New_York",
        weekly_hours=(_hours(Weekday.MONDAY, "08:00", "18:00"),),
        holidays=(date(2026, 12, 25), date(2026, 7, 4), date(2026, 12, 25)),
    )

    stored = calendar.to_json()

    assert stored == {
        "time_zone": "America/New_York",
        "weekly_hours": [{"day": "MONDAY", "start": "08:00", "end": "18:00"}],
        "holidays": ["2026-07-04", "2026-12-25"],
    }
    assert BusinessCalendar.from_json(stored) == BusinessCalendar(
        time_zone="America/New_York",
        weekly_hours=(_hours(Weekday.MONDAY, "08:00", "18:00"),),
        holidays=(date(2026, 7, 4), date(2026, 12, 25)),
    )
