"""The answers of objectives: value, status, error budget, trend and improvement over the
benchmark, and series for charts. Each metric asked about costs one statement, however many
objectives (service_levels.metric_sql), plus one to read the objectives.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from service_levels import repository
from service_levels.frames import Frame, MetricValue, Scope
from service_levels.metric_sql import MetricSettings, measure_all
from service_levels.models import Metric, Objective, WindowKind
from service_levels.objectives import Answer, Status, answer, better_by
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


@dataclass(frozen=True)
class Asked:
    """An objective to answer, with its service and the zone its windows are local to."""

    objective: Objective
    service_id: uuid.UUID
    time_zone: str

    @classmethod
    def of(
        cls,
        objective: Objective,
        service_id: uuid.UUID,
        time_zone: str | None,
        settings: MetricSettings,
    ) -> Asked:
        """A service without a calendar keeps the organisation's time zone."""
        return cls(objective, service_id, time_zone or settings.org_timezone)


def scope_of(objective: Objective) -> Scope:
    return Scope(objective.scope_severity, objective.scope_priority, objective.scope_request_kind)


async def _asked(
    session: AsyncSession, objective_ids: Sequence[uuid.UUID], settings: MetricSettings
) -> list[Asked]:
    found = await repository.objectives_with_services(session, objective_ids)
    return [
        Asked.of(objective, service_id, time_zone, settings)
        for objective, service_id, time_zone in found
    ]


def _frames_by_metric(
    asked: Sequence[Asked], windows: Sequence[Sequence[Window]]
) -> dict[Metric, list[Frame]]:
    """A frame for each (objective, window); its key is the position in a flat list."""
    frames: dict[Metric, list[Frame]] = defaultdict(list)
    key = 0
    for item, own in zip(asked, windows, strict=True):
        for window in own:
            frames[item.objective.metric].append(
                Frame(key, (item.service_id,), window.start, window.end, scope_of(item.objective))
            )
            key += 1
    return frames


async def _values(
    session: AsyncSession,
    asked: Sequence[Asked],
    windows: Sequence[Sequence[Window]],
    settings: MetricSettings,
) -> list[list[MetricValue]]:
    """The metric of each objective over each of its windows, in the order given."""
    measured = await measure_all(session, _frames_by_metric(asked, windows), settings)
    values: list[list[MetricValue]] = []
    key = 0
    for item, own in zip(asked, windows, strict=True):
        by_key = measured.get(item.objective.metric, {})
        values.append([by_key.get(key + index, MetricValue(None)) for index in range(len(own))])
        key += len(own)
    return values


def _answer(objective: Objective, window: Window, now: MetricValue, before: MetricValue) -> Answer:
    found = answer(objective.metric, objective.comparator, objective.target, now.value)
    return replace(
        found,
        window=window,
        samples=now.samples,
        trend=better_by(objective.comparator, now.value, before.value),
        improvement_over_benchmark=better_by(
            objective.comparator, now.value, objective.benchmark_value
        ),
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


async def answers_of(
    session: AsyncSession,
    asked: Sequence[Asked],
    as_of: datetime,
    settings: MetricSettings,
    window: WindowChoice | None = None,
    *,
    trend: bool = True,
) -> dict[uuid.UUID, Answer]:
    """The answers of objectives already read; without `trend` (roll-ups, which show none)
    the window before is not measured and `trend` is None."""
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
    values = await _values(session, asked, windows, settings)
    nothing = MetricValue(None)
    return {
        item.objective.id: _answer(
            item.objective, own[0], measured[0], measured[-1] if trend else nothing
        )
        for item, own, measured in zip(asked, windows, values, strict=True)
    }


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
    values = await _values(session, asked, windows, settings)
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
