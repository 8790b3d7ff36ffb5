"""Reference K's pure parts (bench/reference_kpi.py): outage unions, and statuses that agree
with the product's over a grid of values, so a K1 mismatch points at the data or the SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.generator import generate
from bench.reference_kpi import availability, downtime, judge
from service_levels.models import Comparator, Metric
from service_levels.objectives import answer

START = datetime(2026, 1, 1, tzinfo=UTC)
END = START + timedelta(days=10)


def _at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def test_overlapping_outages_count_once_and_are_cut_to_the_window() -> None:
    outages = [
        (_at(-5), _at(2)),  # before the window: 2 h inside
        (_at(10), _at(14)),
        (_at(12), _at(13)),  # inside the previous one
        (_at(13), _at(16)),  # overlaps it: 10 h to 16 h in all
        (_at(239), None),  # still open: runs to the window's end, 1 h
    ]

    assert downtime(outages, START, END) == pytest.approx((2 + 6 + 1) * 3600)
    assert availability([], START, END) == 1.0


@pytest.mark.parametrize("metric", [Metric.AVAILABILITY, Metric.MTTR, Metric.SATISFACTION])
@pytest.mark.parametrize("comparator", list(Comparator))
def test_statuses_and_budgets_agree_with_the_product(
    metric: Metric, comparator: Comparator
) -> None:
    targets = (0.995, 0.9, 3.5, 3600.0, 0.0)
    values = (None, 0.0, 0.5, 0.9, 0.99, 0.995, 0.998, 1.0, 3.0, 3.5, 3.9, 3300.0, 3700.0)
    for target in targets:
        for value in values:
            expected = answer(metric, comparator, target, value)
            status, budget = judge(metric.value, comparator.value, target, value)
            assert (status, budget) == (expected.status.value, expected.error_budget), (
                target,
                value,
            )


def test_the_generated_service_levels_are_deterministic() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    first, _ = generate(40, now=now)
    second, _ = generate(40, now=now)

    for table in ("sla", "objective", "incident", "incident_status_change", "service_request"):
        assert first.rows(table), table
        assert first.rows(table) == second.rows(table), table
    moves = first.rows("incident_status_change") + first.rows("service_request_status_change")
    assert max(move["at"] for move in moves) < now
