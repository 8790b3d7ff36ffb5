"""A service's business calendar: a time zone, weekly hours in local wall time, holidays."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Weekday(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class InvalidCalendar(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


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
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidCalendar(f"unknown time zone {self.time_zone!r}", "timeZone") from None
        for hours in self.weekly_hours:
            if hours.start >= hours.end:
                raise InvalidCalendar(
                    f"{hours.day} hours must start before they end", "weeklyHours"
                )
        by_day: dict[Weekday, list[WeeklyHours]] = {}
        for hours in self.weekly_hours:
            by_day.setdefault(hours.day, []).append(hours)
        for day, spans in by_day.items():
            spans.sort(key=lambda span: span.start)
            for earlier, later in itertools.pairwise(spans):
                if later.start < earlier.end:
                    raise InvalidCalendar(f"{day} hours overlap", "weeklyHours")
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
