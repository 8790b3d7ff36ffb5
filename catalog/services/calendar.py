"""A service's business calendar: a time zone, weekly hours in local wall time, holidays."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import available_timezones


class Weekday(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class InvalidCalendar(ValueError):
    """`path` names the offending part below the calendar, e.g. `("weeklyHours", "2")`."""

    def __init__(self, message: str, *path: str) -> None:
        super().__init__(message)
        self.path = path


@cache
def _time_zones() -> frozenset[str]:
    """IANA names only: `ZoneInfo` alone also opens directories and stray data files."""
    return frozenset(available_timezones())


_WALL_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def parse_wall_time(value: str) -> time:
    """A local wall-clock time written `HH:MM`; no seconds, no offset (the zone says it)."""
    match = _WALL_TIME.fullmatch(value)
    if match is None:
        raise InvalidCalendar(f"{value!r} is not a time of day (HH:MM)")
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class WeeklyHours:
    day: Weekday
    start: time
    end: time


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str
    weekly_hours: tuple[WeeklyHours, ...]
    holidays: tuple[date, ...]

    def validate(self) -> BusinessCalendar:
        if self.time_zone not in _time_zones():
            raise InvalidCalendar(f"unknown time zone {self.time_zone!r}", "timeZone")
        if not self.weekly_hours:
            raise InvalidCalendar(
                "a business calendar needs weekly hours; leave it out for 24x7", "weeklyHours"
            )
        for index, hours in enumerate(self.weekly_hours):
            if hours.start >= hours.end:
                raise InvalidCalendar(
                    f"{hours.day} hours must start before they end", "weeklyHours", str(index)
                )
        by_day: dict[Weekday, list[tuple[int, WeeklyHours]]] = {}
        for index, hours in enumerate(self.weekly_hours):
            by_day.setdefault(hours.day, []).append((index, hours))
        for day, spans in by_day.items():
            spans.sort(key=lambda span: span[1].start)
            for (_, earlier), (index, later) in itertools.pairwise(spans):
                if later.start < earlier.end:
                    raise InvalidCalendar(f"{day} hours overlap", "weeklyHours", str(index))
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "time_zone": self.time_zone,
            "weekly_hours": [
                {
                    "day": hours.day.value,
                    "start": hours.start.isoformat("minutes"),
                    "end": hours.end.isoformat("minutes"),
                }
                for hours in self.weekly_hours
            ],
            "holidays": sorted({holiday.isoformat() for holiday in self.holidays}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BusinessCalendar:
        return cls(
            time_zone=data["time_zone"],
            weekly_hours=tuple(
                WeeklyHours(
                    Weekday(item["day"]),
                    time.fromisoformat(item["start"]),
                    time.fromisoformat(item["end"]),
                )
                for item in data["weekly_hours"]
            ),
            holidays=tuple(date.fromisoformat(item) for item in data["holidays"]),
        )
