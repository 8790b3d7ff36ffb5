"""The priority matrix of SPEC.md, cell by cell (impact rows, urgency columns)."""

from __future__ import annotations

import pytest

from work.requests.models import Level, Priority
from work.requests.priority import priority

LOW, MEDIUM, HIGH, CRITICAL = Level.LOW, Level.MEDIUM, Level.HIGH, Level.CRITICAL
P1, P2, P3, P4 = Priority.P1, Priority.P2, Priority.P3, Priority.P4

CELLS = [
    (CRITICAL, LOW, P2),
    (CRITICAL, MEDIUM, P1),
    (CRITICAL, HIGH, P1),
    (CRITICAL, CRITICAL, P1),
    (HIGH, LOW, P3),
    (HIGH, MEDIUM, P2),
    (HIGH, HIGH, P2),
    (HIGH, CRITICAL, P1),
    (MEDIUM, LOW, P4),
    (MEDIUM, MEDIUM, P3),
    (MEDIUM, HIGH, P2),
    (MEDIUM, CRITICAL, P2),
    (LOW, LOW, P4),
    (LOW, MEDIUM, P4),
    (LOW, HIGH, P3),
    (LOW, CRITICAL, P3),
]


def test_the_table_covers_every_cell() -> None:
    assert {(impact, urgency) for impact, urgency, _ in CELLS} == {
        (i, u) for i in Level for u in Level
    }


@pytest.mark.parametrize(("impact", "urgency", "expected"), CELLS)
def test_priority_of_each_cell(impact: Level, urgency: Level, expected: Priority) -> None:
    assert priority(impact, urgency) == expected


@pytest.mark.parametrize("impact", list(Level))
def test_more_urgency_never_lowers_the_priority(impact: Level) -> None:
    ranks = [priority(impact, urgency) for urgency in Level]  # P1 sorts first
    assert ranks == sorted(ranks, reverse=True)


@pytest.mark.parametrize("urgency", list(Level))
def test_more_impact_never_lowers_the_priority(urgency: Level) -> None:
    ranks = [priority(impact, urgency) for impact in Level]
    assert ranks == sorted(ranks, reverse=True)
