"""When a model is overdue, failing or approvable: the pure rules."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from catalog.ai_models.attention import (
    Latest,
    in_range,
    is_failing,
    is_overdue,
    missing_for_approval,
    passes,
    required_kinds,
)
from catalog.ai_models.models import AIModelStatus, EvaluationComparator, EvaluationKind

NOW = datetime(2026, 10, 1, tzinfo=UTC)
ACCURACY, FAIRNESS, DRIFT, SAFETY = (
    EvaluationKind.ACCURACY,
    EvaluationKind.FAIRNESS,
    EvaluationKind.DRIFT,
    EvaluationKind.SAFETY,
)


def _days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def _overdue(
    latest: list[Latest],
    *,
    created_days_ago: int = 200,
    learns: bool = False,
    status: AIModelStatus = AIModelStatus.APPROVED,
) -> bool:
    return is_overdue(
        status=status,
        created_at=_days_ago(created_days_ago),
        cadence_days=90,
        learns_from_live_data=learns,
        latest=latest,
        now=NOW,
    )


def test_drift_is_required_only_of_models_learning_from_live_data() -> None:
    assert required_kinds(False) == (ACCURACY, FAIRNESS)
    assert required_kinds(True) == (ACCURACY, FAIRNESS, DRIFT)


def test_a_model_younger_than_its_cadence_is_not_overdue_without_evaluations() -> None:
    assert not _overdue([], created_days_ago=30)


def test_a_model_older_than_its_cadence_is_overdue_without_evaluations() -> None:
    assert _overdue([], created_days_ago=91)


def test_fresh_required_evaluations_keep_a_model_current() -> None:
    latest = [Latest(ACCURACY, _days_ago(10), True), Latest(FAIRNESS, _days_ago(89), False)]
    assert not _overdue(latest)


def test_one_required_kind_older_than_the_cadence_makes_it_overdue() -> None:
    latest = [Latest(ACCURACY, _days_ago(10), True), Latest(FAIRNESS, _days_ago(91), True)]
    assert _overdue(latest)


def test_a_model_learning_from_live_data_is_overdue_without_drift() -> None:
    latest = [Latest(ACCURACY, _days_ago(10), True), Latest(FAIRNESS, _days_ago(10), True)]
    assert not _overdue(latest)
    assert _overdue(latest, learns=True)


def test_safety_is_never_required() -> None:
    latest = [
        Latest(ACCURACY, _days_ago(1), True),
        Latest(FAIRNESS, _days_ago(1), True),
        Latest(SAFETY, _days_ago(400), True),
    ]
    assert not _overdue(latest)


def test_a_retired_model_is_neither_overdue_nor_failing() -> None:
    latest = [Latest(ACCURACY, _days_ago(400), False)]
    assert not _overdue(latest, status=AIModelStatus.RETIRED)
    assert not is_failing(status=AIModelStatus.RETIRED, latest=latest)


def test_failing_is_the_latest_of_any_kind_failing() -> None:
    passing = [Latest(ACCURACY, _days_ago(1), True), Latest(SAFETY, _days_ago(1), True)]
    assert not is_failing(status=AIModelStatus.APPROVED, latest=passing)
    failing = [*passing, Latest(DRIFT, _days_ago(1), False)]
    assert is_failing(status=AIModelStatus.APPROVED, latest=failing)


def test_approval_needs_passing_accuracy_and_fairness_within_the_cadence() -> None:
    def missing(latest: list[Latest]) -> list[EvaluationKind]:
        return missing_for_approval(cadence_days=90, latest=latest, now=NOW)

    assert missing([]) == [ACCURACY, FAIRNESS]
    assert missing([Latest(ACCURACY, _days_ago(1), True)]) == [FAIRNESS]
    assert missing(
        [Latest(ACCURACY, _days_ago(1), True), Latest(FAIRNESS, _days_ago(1), False)]
    ) == [FAIRNESS]
    assert missing(
        [Latest(ACCURACY, _days_ago(91), True), Latest(FAIRNESS, _days_ago(1), True)]
    ) == [ACCURACY]
    assert (
        missing([Latest(ACCURACY, _days_ago(1), True), Latest(FAIRNESS, _days_ago(1), True)]) == []
    )


@pytest.mark.parametrize(
    ("kind", "value", "fits"),
    [
        (ACCURACY, 0.0, True),
        (ACCURACY, 1.0, True),
        (ACCURACY, 1.01, False),
        (FAIRNESS, -0.1, False),
        (SAFETY, 0.5, True),
        (DRIFT, 3.5, True),
        (DRIFT, -0.01, False),
        (DRIFT, math.inf, False),
        (ACCURACY, math.nan, False),
    ],
)
def test_values_fit_their_kinds_range(kind: EvaluationKind, value: float, fits: bool) -> None:
    assert in_range(kind, value) is fits


def test_the_comparator_decides_whether_a_value_passes() -> None:
    assert passes(EvaluationComparator.AT_LEAST, 0.9, 0.9)
    assert not passes(EvaluationComparator.AT_LEAST, 0.89, 0.9)
    assert passes(EvaluationComparator.AT_MOST, 0.1, 0.2)
    assert not passes(EvaluationComparator.AT_MOST, 0.3, 0.2)
