"""Objective answers: windows in the service's zone, status and error budget. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service_levels.models import Comparator, Metric, WindowKind
from service_levels.objectives import Status, answer, better_by, error_budget
from service_levels.windows import Bucket, buckets, current_window, previous_window

AS_OF = datetime(2026, 5, 1, 2, 30, tzinfo=UTC)  # already May in Paris, still April in LA


def test_calendar_windows_start_at_local_midnight_in_the_service_zone() -> None:
    paris = current_window(WindowKind.CALENDAR_MONTH, None, AS_OF, "Europe/Paris")
    los_angeles = current_window(WindowKind.CALENDAR_MONTH, None, AS_OF, "America/Los_Angeles")
    quarter = current_window(WindowKind.CALENDAR_QUARTER, None, AS_OF, "Europe/Paris")

    assert paris.start == datetime(2026, 4, 30, 22, tzinfo=UTC)
    assert paris.end == AS_OF
    assert los_angeles.start == datetime(2026, 4, 1, 7, tzinfo=UTC)
    assert quarter.start == datetime(2026, 3, 31, 22, tzinfo=UTC)


def test_a_rolling_window_is_whole_local_days_ending_today() -> None:
    week = current_window(WindowKind.ROLLING_DAYS, 7, AS_OF, "UTC")
    assert week.start == datetime(2026, 4, 25, tzinfo=UTC)
    later_that_day = current_window(WindowKind.ROLLING_DAYS, 7, AS_OF + timedelta(hours=20), "UTC")
    assert later_that_day.start == week.start


def test_the_previous_window_is_the_whole_one_before_across_a_dst_change() -> None:
    # March 2026 in Paris has 31 days, one of them 23 hours long (clocks go forward on the 29th).
    in_april = datetime(2026, 4, 10, tzinfo=UTC)
    march = previous_window(WindowKind.CALENDAR_MONTH, None, in_april, "Europe/Paris")
    assert march.start == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert march.end == datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert march.seconds == (31 * 24 - 1) * 3600


def test_series_buckets_are_local_days_weeks_and_months_cut_to_the_span() -> None:
    start, end = datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 4, 2, tzinfo=UTC)
    days = list(buckets(start, end, Bucket.DAY, "Europe/Paris"))
    assert days[0].start == start  # cut: Paris's 28th began an hour earlier
    assert days[1].start == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert days[1].seconds == 23 * 3600  # the 29th, when clocks go forward
    assert days[-1].end == end
    weeks = list(buckets(start, end, Bucket.WEEK, "Europe/Paris"))
    assert [week.start for week in weeks] == [start, datetime(2026, 3, 29, 22, tzinfo=UTC)]
    months = list(buckets(start, end, Bucket.MONTH, "UTC"))
    assert [month.start for month in months] == [start, datetime(2026, 4, 1, tzinfo=UTC)]


def test_improvement_is_signed_so_that_positive_is_better() -> None:
    assert better_by(Comparator.AT_LEAST, 0.99, 0.95) == pytest.approx(0.04)
    assert better_by(Comparator.AT_MOST, 1800, 3600) == 1800
    assert better_by(Comparator.AT_MOST, 3600, 1800) == -1800
    assert better_by(Comparator.AT_MOST, None, 1800) is None


def test_a_ratio_objective_is_at_risk_with_under_a_quarter_of_its_budget() -> None:
    metric, at_least = Metric.CLOCK_ATTAINMENT, Comparator.AT_LEAST
    assert answer(metric, at_least, 0.9, 0.99).status is Status.MET
    assert answer(metric, at_least, 0.9, 0.91).status is Status.AT_RISK
    assert answer(metric, at_least, 0.9, 0.89).status is Status.BREACHED
    assert answer(metric, at_least, 0.9, None).status is Status.NO_DATA
    assert answer(metric, at_least, 0.9, 0.95).error_budget == pytest.approx(0.5)


def test_a_duration_objective_is_at_risk_within_ten_percent_and_has_no_budget() -> None:
    metric, at_most = Metric.REQUEST_RESOLUTION_TIME, Comparator.AT_MOST
    assert answer(metric, at_most, 3600, 1800).status is Status.MET
    assert answer(metric, at_most, 3600, 3500).status is Status.AT_RISK
    assert answer(metric, at_most, 3600, 3700).status is Status.BREACHED
    assert answer(metric, at_most, 3600, 1800).error_budget is None


@given(
    target=st.floats(0, 1),
    value=st.floats(0, 1),
    comparator=st.sampled_from(list(Comparator)),
)
def test_the_error_budget_is_a_share_and_is_spent_exactly_at_a_breach(
    target: float, value: float, comparator: Comparator
) -> None:
    budget = error_budget(comparator, value, target)
    assert 0 <= budget <= 1
    met = value >= target if comparator is Comparator.AT_LEAST else value <= target
    status = answer(Metric.CLOCK_ATTAINMENT, comparator, target, value).status
    assert (status is Status.BREACHED) is not met
    if not met:
        assert budget == 0
