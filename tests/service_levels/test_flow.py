"""The window flow metrics accept: at most two years, with offsets, not empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from service_levels.flow import MAX_WINDOW, BadWindow, check_window

START = datetime(2024, 1, 1, tzinfo=UTC)


def test_a_window_of_exactly_two_years_is_accepted_and_kept_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    end = (START + MAX_WINDOW).astimezone(paris)

    window = check_window(START, end)

    assert (window.start, window.end) == (START, START + MAX_WINDOW)
    assert window.end.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (START, START + MAX_WINDOW + timedelta(seconds=1), "at most 731 days (two years)"),
        (START, START, "to must be after from"),
        (START, START - timedelta(days=1), "to must be after from"),
        (START.replace(tzinfo=None), START + timedelta(days=1), "from and to need a UTC offset"),
        (
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
            datetime(1, 1, 2, tzinfo=timezone(timedelta(hours=1))),
            "from and to must lie between the years 1 and 9999 in UTC",
        ),
    ],
)
def test_bad_windows_are_refused(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(BadWindow, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_window(start, end)
