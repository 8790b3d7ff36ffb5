"""Business time over a service's calendar: how much of [start, end) is business time, and
when a given amount of it has run. Pure: no I/O, no clock.

An instant is business time when its local wall-clock reading (in the calendar's zone) falls
on a day that is not a holiday and inside one of that weekday's hours. So on the night the
clocks go forward the skipped wall hour counts nothing, and on the night they go back a
repeated wall hour inside business hours counts twice (it is lived twice). Without a
calendar every instant is business time (24x7).

Instants are timezone-aware datetimes; durations are exact `timedelta`s (microseconds).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from catalog.services.calendar import BusinessCalendar, Weekday

# Wider than any UTC offset, so that a local day's instants all lie in the window searched.
_REACH = timedelta(hours=15)
_SAMPLE = timedelta(hours=1)
_WEEKDAYS = tuple(Weekday)
# How far ahead `instant_after` looks before answering that the amount is never reached.
HORIZON = timedelta(days=5 * 366)
ZERO = timedelta(0)


def _naive_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("business time needs timezone-aware instants")
    return instant.astimezone(UTC).replace(tzinfo=None)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset(zone: ZoneInfo, naive_utc: datetime) -> timedelta:
    offset = zone.utcoffset(naive_utc.replace(tzinfo=UTC).astimezone(zone))
    assert offset is not None
    return offset


def _first_change(zone: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The first second in (lo, hi] whose offset differs from lo's (there is one)."""
    before = _offset(zone, lo)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            mid = lo + timedelta(seconds=1)
        if _offset(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=8192)
def _segments(zone_name: str, day: date) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """Spans of constant UTC offset (naive UTC bounds) covering every instant of the local day."""
    zone = _zone(zone_name)
    midnight = datetime.combine(day, time())
    lo, hi = midnight - _REACH, midnight + timedelta(days=1) + _REACH
    segments: list[tuple[datetime, datetime, timedelta]] = []
    start, offset = lo, _offset(zone, lo)
    probe = lo
    while probe < hi:
        nxt = min(probe + _SAMPLE, hi)
        if _offset(zone, nxt) != offset:
            change = _first_change(zone, probe, nxt)
            segments.append((start, change, offset))
            start, offset = change, _offset(zone, change)
        probe = nxt
    segments.append((start, hi, offset))
    return tuple(segments)


def _day_pieces(calendar: BusinessCalendar, day: date) -> Iterator[tuple[datetime, datetime]]:
    """The naive-UTC intervals whose local wall time is in this local day's business hours."""
    if day in calendar.holidays:
        return
    weekday = _WEEKDAYS[day.weekday()]
    spans = [hours for hours in calendar.weekly_hours if hours.day is weekday]
    if not spans:
        return
    for seg_lo, seg_hi, offset in _segments(calendar.time_zone, day):
        for hours in spans:
            lo = max(datetime.combine(day, hours.start) - offset, seg_lo)
            hi = min(datetime.combine(day, hours.end) - offset, seg_hi)
            if lo < hi:
                yield lo, hi


def business_pieces(
    calendar: BusinessCalendar | None, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The business intervals inside [start, end), sorted, as aware UTC datetimes."""
    if start >= end:
        return []
    if calendar is None:
        return [(start.astimezone(UTC), end.astimezone(UTC))]
    lo, hi = _naive_utc(start), _naive_utc(end)
    first, last = (lo - _REACH).date(), (hi + _REACH).date()
    pieces: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for piece_lo, piece_hi in _day_pieces(calendar, day):
            clipped_lo, clipped_hi = max(piece_lo, lo), min(piece_hi, hi)
            if clipped_lo < clipped_hi:
                pieces.append((clipped_lo.replace(tzinfo=UTC), clipped_hi.replace(tzinfo=UTC)))
        day += timedelta(days=1)
    pieces.sort()
    return pieces


def business_time(calendar: BusinessCalendar | None, start: datetime, end: datetime) -> timedelta:
    """How much of [start, end) is business time (zero when end is not after start)."""
    return sum((hi - lo for lo, hi in business_pieces(calendar, start, end)), ZERO)


def instant_after(
    calendar: BusinessCalendar | None, start: datetime, amount: timedelta
) -> datetime | None:
    """The last instant t with business_time(start, t) == amount: from just after t, more
    than `amount` has run. None when that does not happen within HORIZON."""
    if amount < ZERO:
        raise ValueError("amount must not be negative")
    if calendar is None:
        return start.astimezone(UTC) + amount
    reach = max(amount, timedelta(hours=1))
    while True:
        end = start + reach
        pieces = business_pieces(calendar, start, end)
        left = amount
        for index, (lo, hi) in enumerate(pieces):
            if left < hi - lo:
                return lo + left
            left -= hi - lo
            # Exactly used up: the amount is passed when the next piece starts.
            if left == ZERO and index + 1 < len(pieces):
                return pieces[index + 1][0]
        if reach >= HORIZON:
            return None
        reach = min(reach * 2, HORIZON)
