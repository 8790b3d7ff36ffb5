"""The incident life cycle, its time stamps, severity of repeats, restore time and cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from work.incidents.models import IncidentStatus as S
from work.incidents.models import Severity
from work.incidents.transitions import (
    allowed_next,
    cost,
    refusal_message,
    restore_seconds,
    stamps_for,
    worst,
)

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.DETECTED, (S.ACKNOWLEDGED,)),
        (S.ACKNOWLEDGED, (S.MITIGATED,)),
        (S.MITIGATED, (S.RESOLVED,)),
        (S.RESOLVED, (S.CLOSED, S.ACKNOWLEDGED)),
        (S.CLOSED, ()),
    ],
)
def test_the_life_cycle(status: S, expected: tuple[S, ...]) -> None:
    assert allowed_next(status) == expected


@pytest.mark.parametrize(
    ("before", "after", "stamp"),
    [
        (S.DETECTED, S.ACKNOWLEDGED, "acknowledged_at"),
        (S.ACKNOWLEDGED, S.MITIGATED, "mitigated_at"),
        (S.MITIGATED, S.RESOLVED, "resolved_at"),
        (S.RESOLVED, S.CLOSED, "closed_at"),
    ],
)
def test_each_state_is_stamped(before: S, after: S, stamp: str) -> None:
    assert stamps_for(before, after, AT) == {stamp: AT}


def test_a_reopen_clears_mitigated_and_resolved_and_keeps_the_acknowledgement() -> None:
    assert stamps_for(S.RESOLVED, S.ACKNOWLEDGED, AT) == {"mitigated_at": None, "resolved_at": None}


def test_a_refusal_names_the_allowed_next_states() -> None:
    assert refusal_message(S.DETECTED, S.RESOLVED) == (
        "a DETECTED incident cannot become RESOLVED; allowed next: ACKNOWLEDGED"
    )


@pytest.mark.parametrize(
    ("stored", "reported", "expected"),
    [
        (Severity.SEV3, Severity.SEV1, Severity.SEV1),
        (Severity.SEV1, Severity.SEV4, Severity.SEV1),
        (Severity.SEV2, Severity.SEV2, Severity.SEV2),
    ],
)
def test_a_repeat_raises_the_severity_but_never_lowers_it(
    stored: Severity, reported: Severity, expected: Severity
) -> None:
    assert worst(stored, reported) == expected


def test_restore_time_is_mitigation_minus_detection() -> None:
    assert restore_seconds(AT, AT + timedelta(hours=2, minutes=5)) == 7500
    assert restore_seconds(AT, None) is None


def test_cost_is_people_hours_at_the_rate() -> None:
    assert cost(12.5, 100) == 1250.0
    assert cost(None, 100) is None
