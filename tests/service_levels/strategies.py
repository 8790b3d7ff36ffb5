"""Hypothesis strategies for business calendars and instants, and a brute-force oracle.

Everything is aligned to quarter hours (hours, holidays' midnights, the zones' offsets and
their DST changes), so business time is constant over each quarter hour and counting
quarter hours one by one gives the exact answer to compare with.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from catalog.services.calendar import BusinessCalendar, Weekday, WeeklyHours

QUARTER = timedelta(minutes=15)
# Zones with DST (northern and southern, a half-hour change, changes at midnight) or odd offsets.
ZONES = (
    "UTC",
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Asia/Kathmandu",
    "Pacific/Chatham",
)
# Around DST changes: late March / early April and late October / early November.
_DST_WINDOWS = (
    (datetime(2024, 3, 8, tzinfo=UTC), datetime(2024, 4, 10, tzinfo=UTC)),
    (datetime(2024, 10, 24, tzinfo=UTC), datetime(2024, 11, 8, tzinfo=UTC)),
    (datetime(2019, 2, 14, tzinfo=UTC), datetime(2019, 2, 19, tzinfo=UTC)),  # Sao Paulo 00:00
    (datetime(2023, 9, 1, tzinfo=UTC), datetime(2023, 9, 5, tzinfo=UTC)),  # Santiago 00:00
)


def _quarter(index: int) -> time:
    return time(index // 4, (index % 4) * 15)


@st.composite
def day_hours(draw: st.DrawFn, day: Weekday) -> list[WeeklyHours]:
    """0-2 non-overlapping spans on one day (zero-hour days included)."""
    cuts = sorted(draw(st.sets(st.integers(0, 95), min_size=0, max_size=4)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return [
        WeeklyHours(day, _quarter(cuts[i]), _quarter(cuts[i + 1])) for i in range(0, len(cuts), 2)
    ]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    hours: list[WeeklyHours] = []
    for day in Weekday:
        hours.extend(draw(day_hours(day)))
    if not hours:
        hours.append(WeeklyHours(Weekday.MONDAY, time(9), time(17)))
    # Holidays inside the windows the instants come from, so that they matter.
    window_days = st.sampled_from(_DST_WINDOWS).flatmap(
        lambda window: st.dates(window[0].date(), window[1].date())
    )
    holidays = draw(st.lists(window_days, max_size=4))
    calendar = BusinessCalendar(
        time_zone=draw(st.sampled_from(ZONES)),
        weekly_hours=tuple(hours),
        holidays=tuple(holidays),
    )
    return calendar.validate()


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """A quarter-hour instant, most often near a DST change."""
    lo, hi = draw(st.sampled_from(_DST_WINDOWS))
    quarters = int((hi - lo) / QUARTER)
    return lo + QUARTER * draw(st.integers(0, quarters))


def is_business(calendar: BusinessCalendar | None, instant: datetime) -> bool:
    if calendar is None:
        return True
    local = instant.astimezone(ZoneInfo(calendar.time_zone))
    if local.date() in calendar.holidays:
        return False
    weekday = list(Weekday)[local.weekday()]
    wall = local.time().replace(tzinfo=None)
    return any(
        hours.day is weekday and hours.start <= wall < hours.end for hours in calendar.weekly_hours
    )


def brute_business_time(
    calendar: BusinessCalendar | None, start: datetime, end: datetime
) -> timedelta:
    total, probe = timedelta(0), start
    while probe < end:
        if is_business(calendar, probe):
            total += QUARTER
        probe += QUARTER
    return total
