"""Objective answers: windows in the service's zone, status and error budget. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service_levels.models import Comparator, Metric, WindowKind
from service_levels.objectives import Status, answer, error_budget, window_start

AS_OF = datetime(2026, 5, 1, 2, 30, tzinfo=UTC)  # already May in Paris, still April in LA


def test_calendar_windows_start_at_local_midnight_in_the_service_zone() -> None:
    paris = window_start(WindowKind.CALENDAR_MONTH, None, AS_OF, "Europe/Paris")
    los_angeles = window_start(WindowKind.CALENDAR_MONTH, None, AS_OF, "America/Los_Angeles")
    quarter = window_start(WindowKind.CALENDAR_QUARTER, None, AS_OF, "Europe/Paris")

    assert paris == datetime(2026, 4, 30, 22, tzinfo=UTC)
    assert los_angeles == datetime(2026, 4, 1, 7, tzinfo=UTC)
    assert quarter == datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert window_start(WindowKind.ROLLING_DAYS, 7, AS_OF, "UTC") == AS_OF - timedelta(days=7)


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
