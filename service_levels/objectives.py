"""What an objective answers: its value's status, error budget and improvement. Pure.

Ratios are fractions from 0 to 1; durations are seconds. AT_RISK means met but with less than
a quarter of the error budget left (ratio metrics), or within 10 % of the target (the others).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from service_levels.models import Comparator, Metric
from service_levels.windows import Window

RATIO_METRICS = frozenset({Metric.AVAILABILITY, Metric.CLOCK_ATTAINMENT, Metric.ADOPTION})
# The scopes each metric's records can be narrowed by (incidents by severity, requests by
# priority or kind); any other scope would leave the objective without data for ever.
SCOPES_BY_METRIC: dict[Metric, tuple[str, ...]] = {
    Metric.AVAILABILITY: ("severity",),
    Metric.MTTR: ("severity",),
    Metric.TIME_TO_ACKNOWLEDGE: ("severity",),
    Metric.TIME_TO_HOTFIX: ("severity",),
    Metric.CLOCK_ATTAINMENT: ("severity", "priority", "request kind"),
    Metric.REQUEST_RESOLUTION_TIME: ("priority", "request kind"),
    Metric.DEFECTS_RAISED: ("priority",),
}
AT_RISK_BUDGET = 0.25
AT_RISK_MARGIN = 0.10


class Status(StrEnum):
    MET = "MET"
    AT_RISK = "AT_RISK"
    BREACHED = "BREACHED"
    NO_DATA = "NO_DATA"


class Answer(NamedTuple):
    """An objective's answer (a tuple: a roll-up answers its troubled objectives by the
    hundred, and a frozen dataclass takes several times longer to make)."""

    current_value: float | None
    status: Status
    error_budget: float | None
    window: Window | None = None
    trend: float | None = None
    improvement_over_benchmark: float | None = None
    samples: int = 0
    # AVAILABILITY and MTTR: the figure with vendor-attributed time counted too, and whether
    # `current_value` (and so the status) leaves it out (see service_levels.frames).
    raw_value: float | None = None
    vendor_split: bool | None = None


def better_by(comparator: Comparator, value: float | None, base: float | None) -> float | None:
    """How much better `value` is than `base`, in the metric's unit: positive is better."""
    if value is None or base is None:
        return None
    return value - base if comparator is Comparator.AT_LEAST else base - value


def _met(comparator: Comparator, value: float, target: float) -> bool:
    return value <= target if comparator is Comparator.AT_MOST else value >= target


def error_budget(comparator: Comparator, value: float, target: float) -> float:
    """The share of the allowed shortfall (AT_LEAST) or allowance (AT_MOST) still unused."""
    allowed = (1 - target) if comparator is Comparator.AT_LEAST else target
    used = (1 - value) if comparator is Comparator.AT_LEAST else value
    if allowed <= 0:
        return 1.0 if used <= 0 else 0.0
    return min(max(1 - used / allowed, 0.0), 1.0)


def judge(
    metric: Metric, comparator: Comparator, target: float, value: float
) -> tuple[Status, float | None]:
    """A value's status and, for ratio metrics, its error budget."""
    budget = error_budget(comparator, value, target) if metric in RATIO_METRICS else None
    if not _met(comparator, value, target):
        return Status.BREACHED, budget
    if budget is not None:
        at_risk = budget < AT_RISK_BUDGET
    elif comparator is Comparator.AT_MOST:
        at_risk = value >= target * (1 - AT_RISK_MARGIN)
    else:
        at_risk = value <= target * (1 + AT_RISK_MARGIN)
    return (Status.AT_RISK if at_risk else Status.MET), budget


def answer(metric: Metric, comparator: Comparator, target: float, value: float | None) -> Answer:
    if value is None:
        return Answer(None, Status.NO_DATA, None)
    status, budget = judge(metric, comparator, target, value)
    return Answer(value, status, budget)
