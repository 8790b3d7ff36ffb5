"""The answers of objectives: value, status, error budget, trend and improvement over the
benchmark, and series for charts: one statement for every metric asked about, however many
objectives (service_levels.metric_sql), plus one to read the objectives.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from service_levels import repository
from service_levels.frames import NO_SCOPE, Frame, MetricValue, Scope
from service_levels.metric_sql import MetricSettings, measure_all
from service_levels.models import Comparator, Metric, WindowKind
from service_levels.objectives import Answer, Status, answer, better_by, judge
from service_levels.windows import Bucket, Window, buckets, current_window, previous_window


@dataclass(frozen=True)
class WindowChoice:
    """A window asked for instead of each objective's own (roll-ups over one period)."""

    kind: WindowKind
    days: int | None = None


@dataclass(frozen=True)
class SeriesPoint:
    window: Window
    value: float | None
    status: Status


class ObjectiveTerms(Protocol):
    """What answering an objective reads of it: an ORM `Objective`, or a light row of the
    same columns (roll-ups read thousands)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def metric(self) -> Metric: ...
    @property
    def comparator(self) -> Comparator: ...
    @property
    def target(self) -> float: ...
    @property
    def benchmark_value(self) -> float | None: ...
    @property
    def window_kind(self) -> WindowKind: ...
    @property
    def window_days(self) -> int | None: ...
    @property
    def scope_severity(self) -> str | None: ...
    @property
    def scope_priority(self) -> str | None: ...
    @property
    def scope_request_kind(self) -> str | None: ...


class Asked(NamedTuple):
    """An objective to answer, with its service and the zone its windows are local to (a
    tuple: a roll-up makes thousands)."""

    objective: ObjectiveTerms
    service_id: uuid.UUID
    time_zone: str

    @classmethod
    def of(
        cls,
        objective: ObjectiveTerms,
        service_id: uuid.UUID,
        time_zone: str | None,
        settings: MetricSettings,
    ) -> Asked:
        """A service without a calendar keeps the organisation's time zone."""
        return cls(objective, service_id, time_zone or settings.org_timezone)


def scope_of(objective: ObjectiveTerms) -> Scope:
    if (
        objective.scope_severity is None
        and objective.scope_priority is None
        and objective.scope_request_kind is None
    ):
        return NO_SCOPE
    return Scope(objective.scope_severity, objective.scope_priority, objective.scope_request_kind)


async def _asked(
    session: AsyncSession, objective_ids: Sequence[uuid.UUID], settings: MetricSettings
) -> list[Asked]:
    found = await repository.objectives_with_services(session, objective_ids)
    return [
        Asked.of(objective, service_id, time_zone, settings)
        for objective, service_id, time_zone in found
    ]


@dataclass(frozen=True)
class AnswerPlan:
    """The frames that answer objectives: each (objective, window) is a frame whose key is
    its position in a flat list, from 0 to `keys` - 1 (other frames may take keys after)."""

    asked: Sequence[Asked]
    windows: list[list[Window]]
    frames: dict[Metric, list[Frame]]
    keys: int
    trend: bool = False


def plan_frames(
    asked: Sequence[Asked], windows: list[list[Window]], *, trend: bool = False
) -> AnswerPlan:
    """A frame for each (objective, window): its own service, scope and window."""
    frames: dict[Metric, list[Frame]] = defaultdict(list)
    key = 0
    for item, own in zip(asked, windows, strict=True):
        scope = scope_of(item.objective)
        services = (item.service_id,)
        by_metric = frames[item.objective.metric]
        for window in own:
            by_metric.append(Frame(key, services, window.start, window.end, scope))
            key += 1
    return AnswerPlan(asked, windows, dict(frames), key, trend)


def values_of(
    plan: AnswerPlan, measured: dict[Metric, dict[int, MetricValue]]
) -> list[list[MetricValue]]:
    """The metric of each objective over each of its windows, in the order asked."""
    values: list[list[MetricValue]] = []
    key = 0
    nothing = MetricValue(None)
    for item, own in zip(plan.asked, plan.windows, strict=True):
        by_key = measured.get(item.objective.metric, {})
        values.append([by_key.get(key + index, nothing) for index in range(len(own))])
        key += len(own)
    return values


def answer_over(
    objective: ObjectiveTerms, window: Window, now: MetricValue, before: MetricValue
) -> Answer:
    """An objective's answer over `window`, where it measured `now`; its trend against
    `before`, the window before (None when that is not measured)."""
    value = now.value
    if value is None:
        status, budget = Status.NO_DATA, None
    else:
        status, budget = judge(objective.metric, objective.comparator, objective.target, value)
    return Answer(
        current_value=value,
        status=status,
        error_budget=budget,
        window=window,
        trend=better_by(objective.comparator, value, before.value),
        improvement_over_benchmark=better_by(
            objective.comparator, value, objective.benchmark_value
        ),
        samples=now.samples,
        raw_value=now.raw_value,
        vendor_split=now.vendor_split,
    )


async def objective_answers(
    session: AsyncSession,
    objective_ids: Sequence[uuid.UUID],
    as_of: datetime,
    settings: MetricSettings | None = None,
    window: WindowChoice | None = None,
) -> dict[uuid.UUID, Answer]:
    """Each objective over its current window (or `window`) at `as_of`, with its trend
    against the whole window before."""
    settings = settings or MetricSettings()
    asked = await _asked(session, objective_ids, settings)
    return await answers_of(session, asked, as_of, settings, window)


def plan_answers(
    asked: Sequence[Asked],
    as_of: datetime,
    window: WindowChoice | None = None,
    *,
    trend: bool = True,
) -> AnswerPlan:
    """The frames answering these objectives at `as_of`: their current window (or `window`)
    and, with `trend`, the whole window before."""
    # Objectives share a few kinds of window and zones: each is worked out once.
    spans: dict[tuple[WindowKind, int | None, str], list[Window]] = {}
    windows = []
    for item in asked:
        kind = window.kind if window else item.objective.window_kind
        days = window.days if window else item.objective.window_days
        known = (kind, days, item.time_zone)
        if known not in spans:
            spans[known] = [current_window(kind, days, as_of, item.time_zone)]
            if trend:
                spans[known].append(previous_window(kind, days, as_of, item.time_zone))
        windows.append(spans[known])
    return plan_frames(asked, windows, trend=trend)


def answers_from(
    plan: AnswerPlan, measured: dict[Metric, dict[int, MetricValue]]
) -> dict[uuid.UUID, Answer]:
    """The answers, once the plan's frames are measured; without `trend` it is None."""
    nothing = MetricValue(None)
    return {
        item.objective.id: answer_over(
            item.objective, own[0], values[0], values[-1] if plan.trend else nothing
        )
        for item, own, values in zip(
            plan.asked, plan.windows, values_of(plan, measured), strict=True
        )
    }


async def answers_of(
    session: AsyncSession,
    asked: Sequence[Asked],
    as_of: datetime,
    settings: MetricSettings,
    window: WindowChoice | None = None,
    *,
    trend: bool = True,
) -> dict[uuid.UUID, Answer]:
    """The answers of objectives already read, in one statement; without `trend` (roll-ups
    and events, which show none) the window before is not measured and `trend` is None."""
    plan = plan_answers(asked, as_of, window, trend=trend)
    return answers_from(plan, await measure_all(session, plan.frames, settings))


async def objective_series(
    session: AsyncSession,
    objective_ids: Sequence[uuid.UUID],
    start: datetime,
    end: datetime,
    bucket: Bucket,
    settings: MetricSettings | None = None,
) -> dict[uuid.UUID, list[SeriesPoint]]:
    """Each objective's metric per local day, week or month of [start, end)."""
    settings = settings or MetricSettings()
    asked = await _asked(session, objective_ids, settings)
    windows = [list(buckets(start, end, bucket, item.time_zone)) for item in asked]
    plan = plan_frames(asked, windows)
    values = values_of(plan, await measure_all(session, plan.frames, settings))
    series: dict[uuid.UUID, list[SeriesPoint]] = {}
    for item, own, measured in zip(asked, windows, values, strict=True):
        objective = item.objective
        series[objective.id] = [
            SeriesPoint(
                bucket_window,
                value.value,
                answer(
                    objective.metric, objective.comparator, objective.target, value.value
                ).status,
            )
            for bucket_window, value in zip(own, measured, strict=True)
        ]
    return series
