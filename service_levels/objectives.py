"""What an objective answers: its window, current value, status and error budget. Pure.

Ratios are fractions from 0 to 1; durations are seconds. AT_RISK means met but with less than
a quarter of the error budget left (ratio metrics), or within 10 % of the target (the others).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from service_levels.clock import ClockKind
from service_levels.models import Comparator, Metric, WindowKind
from service_levels.windows import Window

RATIO_METRICS = frozenset({Metric.AVAILABILITY, Metric.CLOCK_ATTAINMENT, Metric.ADOPTION})
CLOCK_METRICS = frozenset(
    {Metric.CLOCK_ATTAINMENT, Metric.REQUEST_RESOLUTION_TIME, Metric.TIME_TO_ACKNOWLEDGE}
)
AT_RISK_BUDGET = 0.25
AT_RISK_MARGIN = 0.10


class Status(StrEnum):
    MET = "MET"
    AT_RISK = "AT_RISK"
    BREACHED = "BREACHED"
    NO_DATA = "NO_DATA"


def window_start(kind: WindowKind, days: int | None, as_of: datetime, time_zone: str) -> datetime:
    """The start of the window ending at `as_of`; calendar windows in the service's zone."""
    if kind is WindowKind.ROLLING_DAYS:
        return as_of - timedelta(days=days or 1)
    local = as_of.astimezone(ZoneInfo(time_zone))
    month = local.month if kind is WindowKind.CALENDAR_MONTH else 3 * ((local.month - 1) // 3) + 1
    return local.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class ClockSample:
    """A clock that stopped: when, whether within its target, how long it ran (business s)."""

    kind: ClockKind
    incident: bool
    stopped_at: datetime
    elapsed_seconds: int
    target_seconds: int
    severity: str | None = None
    priority: str | None = None
    request_kind: str | None = None

    @property
    def met(self) -> bool:
        return self.elapsed_seconds <= self.target_seconds


@dataclass(frozen=True)
class AckSample:
    acknowledged_at: datetime
    seconds: float
    severity: str


@dataclass(frozen=True)
class Scope:
    severity: str | None = None
    priority: str | None = None
    request_kind: str | None = None

    def admits(self, sample: ClockSample) -> bool:
        if self.severity is not None:
            return sample.incident and sample.severity == self.severity
        if self.priority is not None and (sample.incident or sample.priority != self.priority):
            return False
        return self.request_kind is None or (
            not sample.incident and sample.request_kind == self.request_kind
        )


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def clock_metric_value(
    metric: Metric,
    clocks: Sequence[ClockSample],
    acks: Sequence[AckSample],
    scope: Scope,
    start: datetime,
    end: datetime,
) -> float | None:
    """The value of a clock metric over [start, end), None without data."""
    inside = [
        sample for sample in clocks if start <= sample.stopped_at < end and scope.admits(sample)
    ]
    if metric is Metric.CLOCK_ATTAINMENT:
        return _mean(1.0 if sample.met else 0.0 for sample in inside)
    if metric is Metric.REQUEST_RESOLUTION_TIME:
        return _mean(
            sample.elapsed_seconds
            for sample in inside
            if not sample.incident and sample.kind is ClockKind.RESOLUTION
        )
    if metric is Metric.TIME_TO_ACKNOWLEDGE:
        return _mean(
            ack.seconds
            for ack in acks
            if start <= ack.acknowledged_at < end
            and (scope.severity is None or ack.severity == scope.severity)
            and scope.priority is None
            and scope.request_kind is None
        )
    return None


@dataclass(frozen=True)
class Answer:
    current_value: float | None
    status: Status
    error_budget: float | None
    window: Window | None = None


def _met(comparator: Comparator, value: float, target: float) -> bool:
    return value <= target if comparator is Comparator.AT_MOST else value >= target


def error_budget(comparator: Comparator, value: float, target: float) -> float:
    """The share of the allowed shortfall (AT_LEAST) or allowance (AT_MOST) still unused."""
    allowed = (1 - target) if comparator is Comparator.AT_LEAST else target
    used = (1 - value) if comparator is Comparator.AT_LEAST else value
    if allowed <= 0:
        return 1.0 if used <= 0 else 0.0
    return min(max(1 - used / allowed, 0.0), 1.0)


def answer(metric: Metric, comparator: Comparator, target: float, value: float | None) -> Answer:
    if value is None:
        return Answer(None, Status.NO_DATA, None)
    budget = error_budget(comparator, value, target) if metric in RATIO_METRICS else None
    if not _met(comparator, value, target):
        return Answer(value, Status.BREACHED, budget)
    if budget is not None:
        at_risk = budget < AT_RISK_BUDGET
    elif comparator is Comparator.AT_MOST:
        at_risk = value >= target * (1 - AT_RISK_MARGIN)
    else:
        at_risk = value <= target * (1 + AT_RISK_MARGIN)
    return Answer(value, Status.AT_RISK if at_risk else Status.MET, budget)
