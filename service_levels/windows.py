"""The windows an objective is measured over, in the service's time zone. Pure.

A calendar window is the local month or quarter holding the moment asked about. A rolling
window of n days is the n local days ending with that moment's day, so that it has a stable
start all day long: the evaluation job records an event once per (objective, window), and a
window that moved every minute would never repeat. The current window ends at `as_of`;
a past one at its calendar end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from service_levels.models import WindowKind


class Bucket(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.0)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of `day`, in UTC: arithmetic on aware datetimes of one zone is wall-clock
    arithmetic in Python, which would make a 23-hour day last 24."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _period_start(kind: WindowKind, days: int | None, local_day: date) -> date:
    if kind is WindowKind.ROLLING_DAYS:
        return local_day - timedelta(days=(days or 1) - 1)
    if kind is WindowKind.CALENDAR_MONTH:
        return local_day.replace(day=1)
    return date(local_day.year, 3 * ((local_day.month - 1) // 3) + 1, 1)


def _period_end(kind: WindowKind, days: int | None, start: date) -> date:
    if kind is WindowKind.ROLLING_DAYS:
        return start + timedelta(days=days or 1)
    return _add_months(start, 1 if kind is WindowKind.CALENDAR_MONTH else 3)


def full_window(kind: WindowKind, days: int | None, moment: datetime, time_zone: str) -> Window:
    """The whole window holding `moment`, from its local start to its local end."""
    zone = ZoneInfo(time_zone)
    start = _period_start(kind, days, moment.astimezone(zone).date())
    return Window(_midnight(start, zone), _midnight(_period_end(kind, days, start), zone))


def current_window(kind: WindowKind, days: int | None, as_of: datetime, time_zone: str) -> Window:
    """The window holding `as_of`, cut at `as_of`: what the objective answers now."""
    return Window(full_window(kind, days, as_of, time_zone).start, as_of)


def previous_window(kind: WindowKind, days: int | None, as_of: datetime, time_zone: str) -> Window:
    """The whole window before the current one (the base of the trend)."""
    current = full_window(kind, days, as_of, time_zone)
    return full_window(kind, days, current.start - timedelta(microseconds=1), time_zone)


def buckets(start: datetime, end: datetime, bucket: Bucket, time_zone: str) -> Iterator[Window]:
    """Local days, ISO weeks (from Monday) or months covering [start, end), cut to it."""
    zone = ZoneInfo(time_zone)
    day = start.astimezone(zone).date()
    if bucket is Bucket.WEEK:
        day -= timedelta(days=day.weekday())
    elif bucket is Bucket.MONTH:
        day = day.replace(day=1)
    while _midnight(day, zone) < end:
        if bucket is Bucket.DAY:
            following = day + timedelta(days=1)
        elif bucket is Bucket.WEEK:
            following = day + timedelta(days=7)
        else:
            following = _add_months(day, 1)
        yield Window(max(_midnight(day, zone), start), min(_midnight(following, zone), end))
        day = following
