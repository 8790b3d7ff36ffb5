"""Business time over calendars: checked against counting quarter hours, and by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.services.calendar import BusinessCalendar, Weekday, WeeklyHours
from service_levels.calendar_math import business_time, instant_after
from tests.service_levels.strategies import (
    QUARTER,
    brute_business_time,
    calendars,
    instants,
    is_business,
)

WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)


def _office(zone: str, *holidays: date, start: int = 9, end: int = 17) -> BusinessCalendar:
    hours = tuple(WeeklyHours(day, time(start), time(end)) for day in WEEKDAYS)
    return BusinessCalendar(zone, hours, holidays).validate()


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=instants(), quarters=st.integers(0, 4 * 24 * 6))
def test_business_time_counts_the_quarter_hours_of_business(
    calendar: BusinessCalendar, start: datetime, quarters: int
) -> None:
    end = start + QUARTER * quarters
    assert business_time(calendar, start, end) == brute_business_time(calendar, start, end)


@settings(max_examples=100, deadline=None)
@given(calendar=calendars(), start=instants(), a=st.integers(0, 3000), b=st.integers(0, 3000))
def test_business_time_adds_up_over_consecutive_spans(
    calendar: BusinessCalendar, start: datetime, a: int, b: int
) -> None:
    middle = start + timedelta(minutes=a)
    end = middle + timedelta(minutes=b)
    whole = business_time(calendar, start, end)
    assert whole == business_time(calendar, start, middle) + business_time(calendar, middle, end)
    assert timedelta(0) <= whole <= end - start


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=instants(), minutes=st.integers(0, 60 * 60))
def test_instant_after_is_the_last_instant_within_the_amount(
    calendar: BusinessCalendar, start: datetime, minutes: int
) -> None:
    amount = timedelta(minutes=minutes)
    instant = instant_after(calendar, start, amount)
    assert instant is not None
    assert business_time(calendar, start, instant) == amount
    # Right after it, business time is running: one more second is over the amount.
    assert is_business(calendar, instant)
    assert business_time(calendar, start, instant + timedelta(seconds=1)) > amount


@given(start=instants(), minutes=st.integers(0, 10_000))
def test_without_a_calendar_every_instant_is_business_time(start: datetime, minutes: int) -> None:
    end = start + timedelta(minutes=minutes, microseconds=7)
    assert business_time(None, start, end) == end - start
    assert instant_after(None, start, end - start) == end


def test_a_weekend_and_a_holiday_are_skipped() -> None:
    # Wednesday 2026-11-25 15:00 in New York; Thursday is Thanksgiving. To Tuesday 15:00:
    # 2 h Wednesday, 8 h Friday, 8 h Monday, 6 h Tuesday.
    calendar = _office("America/New_York", date(2026, 11, 26))
    start = _utc(2026, 11, 25, 20)
    assert business_time(calendar, start, start + timedelta(days=6)) == timedelta(hours=24)
    # 2 h on Wednesday, then Friday from 09:00 EST (14:00 UTC).
    assert instant_after(calendar, start, timedelta(hours=4)) == _utc(2026, 11, 27, 16)
    # 2 h Wednesday + 8 h Friday uses Friday up exactly: passed when Monday opens.
    assert instant_after(calendar, start, timedelta(hours=10)) == _utc(2026, 11, 30, 14)


def test_the_hour_skipped_in_spring_is_not_business_time() -> None:
    # Paris goes from 02:00 to 03:00 on Sunday 2024-03-31; hours 01:00-04:00 that night.
    hours = (WeeklyHours(Weekday.SUNDAY, time(1), time(4)),)
    calendar = BusinessCalendar("Europe/Paris", hours, ()).validate()
    day = (_utc(2024, 3, 30, 12), _utc(2024, 3, 31, 12))
    assert business_time(calendar, *day) == timedelta(hours=2)


def test_the_hour_repeated_in_autumn_counts_twice() -> None:
    # Paris goes from 03:00 back to 02:00 on Sunday 2024-10-27; hours 01:00-04:00 that night.
    hours = (WeeklyHours(Weekday.SUNDAY, time(1), time(4)),)
    calendar = BusinessCalendar("Europe/Paris", hours, ()).validate()
    day = (_utc(2024, 10, 26, 12), _utc(2024, 10, 27, 12))
    assert business_time(calendar, *day) == timedelta(hours=4)
    # 01:00 CEST is 23:00 UTC; four hours later is 04:00 CET (03:00 UTC).
    assert instant_after(calendar, _utc(2024, 10, 26, 23), timedelta(hours=3)) == _utc(
        2024, 10, 27, 2
    )


def test_a_day_that_starts_at_one_in_sao_paulo() -> None:
    # 2018-11-04 began at 01:00 in Sao Paulo (midnight skipped); hours 00:00-02:00.
    hours = (WeeklyHours(Weekday.SUNDAY, time(0), time(2)),)
    calendar = BusinessCalendar("America/Sao_Paulo", hours, ()).validate()
    assert business_time(calendar, _utc(2018, 11, 3), _utc(2018, 11, 5)) == timedelta(hours=1)


def test_a_calendar_that_never_opens_again_never_reaches_the_amount() -> None:
    hours = (WeeklyHours(Weekday.MONDAY, time(9), time(10)),)
    mondays = tuple(date(2030, 1, 7) + timedelta(weeks=n) for n in range(300))
    calendar = BusinessCalendar("UTC", hours, mondays).validate()
    assert instant_after(calendar, _utc(2030, 1, 1), timedelta(hours=1)) is None
