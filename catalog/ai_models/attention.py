"""When a model needs attention, and whether it may be approved: pure rules, no I/O.

- **Required kinds**: ACCURACY and FAIRNESS always; DRIFT too when the model learns from
  live data (its behaviour moves after evaluation). SAFETY is recorded when done, never
  required.
- **Overdue**: a required kind's latest evaluation is older than the cadence, or there is
  none and the model itself is older than the cadence.
- **Failing**: the latest evaluation of any kind (SAFETY and DRIFT included) failed.
- **Approvable**: the latest ACCURACY and the latest FAIRNESS evaluation both passed and
  are within the cadence.
- A RETIRED model is neither overdue nor failing: nothing uses it any more.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from catalog.ai_models.models import AIModelStatus, EvaluationComparator, EvaluationKind

APPROVAL_KINDS = (EvaluationKind.ACCURACY, EvaluationKind.FAIRNESS)

# What a value (and a threshold) may be, per kind: accuracy-type metrics (accuracy,
# precision, recall, F1, AUC), fairness ratios (the lower group rate over the higher one,
# or a parity difference) and safety rates are fractions from 0 to 1; drift scores (PSI,
# KL divergence, Wasserstein distance) are not negative, without an upper bound.
VALUE_RANGES: Mapping[EvaluationKind, tuple[float, float]] = {
    EvaluationKind.ACCURACY: (0.0, 1.0),
    EvaluationKind.FAIRNESS: (0.0, 1.0),
    EvaluationKind.SAFETY: (0.0, 1.0),
    EvaluationKind.DRIFT: (0.0, math.inf),
}

# The comparator when none is given: higher is better, except for drift.
DEFAULT_COMPARATORS: Mapping[EvaluationKind, EvaluationComparator] = {
    EvaluationKind.ACCURACY: EvaluationComparator.AT_LEAST,
    EvaluationKind.FAIRNESS: EvaluationComparator.AT_LEAST,
    EvaluationKind.SAFETY: EvaluationComparator.AT_LEAST,
    EvaluationKind.DRIFT: EvaluationComparator.AT_MOST,
}


@dataclass(frozen=True)
class Latest:
    """The latest evaluation of one kind: when, and whether it passed."""

    kind: EvaluationKind
    evaluated_at: datetime
    passed: bool


def in_range(kind: EvaluationKind, value: float) -> bool:
    low, high = VALUE_RANGES[kind]
    return math.isfinite(value) and low <= value <= high


def range_text(kind: EvaluationKind) -> str:
    low, high = VALUE_RANGES[kind]
    return f"from {low:g} to {high:g}" if math.isfinite(high) else f"at least {low:g}"


def passes(comparator: EvaluationComparator, value: float, threshold: float) -> bool:
    if comparator is EvaluationComparator.AT_LEAST:
        return value >= threshold
    return value <= threshold


def required_kinds(learns_from_live_data: bool) -> tuple[EvaluationKind, ...]:
    if learns_from_live_data:
        return (*APPROVAL_KINDS, EvaluationKind.DRIFT)
    return APPROVAL_KINDS


def _by_kind(latest: Sequence[Latest]) -> dict[EvaluationKind, Latest]:
    return {item.kind: item for item in latest}


def is_overdue(
    *,
    status: AIModelStatus,
    created_at: datetime,
    cadence_days: int,
    learns_from_live_data: bool,
    latest: Sequence[Latest],
    now: datetime,
) -> bool:
    if status is AIModelStatus.RETIRED:
        return False
    limit = now - timedelta(days=cadence_days)
    found = _by_kind(latest)
    for kind in required_kinds(learns_from_live_data):
        last = found.get(kind)
        if (last.evaluated_at if last is not None else created_at) < limit:
            return True
    return False


def is_failing(*, status: AIModelStatus, latest: Sequence[Latest]) -> bool:
    if status is AIModelStatus.RETIRED:
        return False
    return any(not item.passed for item in latest)


def missing_for_approval(
    *, cadence_days: int, latest: Sequence[Latest], now: datetime
) -> list[EvaluationKind]:
    """The approval kinds without a passing latest evaluation within the cadence."""
    limit = now - timedelta(days=cadence_days)
    found = _by_kind(latest)
    return [
        kind
        for kind in APPROVAL_KINDS
        if (last := found.get(kind)) is None or not last.passed or last.evaluated_at < limit
    ]
