"""KPI roll-ups for a service, a team, a business unit or the organisation.

A summary counts the scope's objectives by status, pools every computable metric over all the
scope's services at once (MTTR = total restore time / incidents, satisfaction = all ratings
together, availability = the tier-weighted mean; service_levels.metric_sql) and lists the
worst objectives first: breached before at risk, then by least error budget left, then by how
far they stand from their target. Its cost in statements does not depend on the scope's size:
one for the scope's services and objectives (light rows, not ORM objects), one for every
metric of the objectives and of the pool, and one for the offenders a caller lists.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import String, and_, exists, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from catalog.services.models import OwnershipRoleKind, Service
from catalog.services.repository import holds_role
from core.clock import utcnow
from identity.models import BusinessUnit, Team
from service_levels import repository
from service_levels.frames import Frame, MetricValue
from service_levels.metric_sql import MetricSettings, measure, measure_all
from service_levels.models import Comparator, Metric, Objective, Sla, WindowKind
from service_levels.objective_answers import (
    Asked,
    WindowChoice,
    answer_over,
    plan_answers,
    values_of,
)
from service_levels.objectives import Answer, Status, better_by, judge
from service_levels.windows import Bucket, Window, buckets, current_window, previous_window

# CUSTOM measurements mean something else on every service: they are not pooled.
POOLED_METRICS: tuple[Metric, ...] = tuple(
    metric for metric in Metric if metric is not Metric.CUSTOM
)
# Which way is better for a pooled value, which has no comparator of its own.
BETTER_WHEN_HIGHER = frozenset(
    {
        Metric.AVAILABILITY,
        Metric.CLOCK_ATTAINMENT,
        Metric.SATISFACTION,
        Metric.ADOPTION,
        Metric.EFFICIENCY_GAIN,
    }
)
DEFAULT_WINDOW = WindowChoice(WindowKind.CALENDAR_MONTH)
# The most offenders a summary lists: only their services are loaded.
MAX_OFFENDERS = 100
_Query = TypeVar("_Query")
_STATUS_ORDER = {Status.BREACHED: 0, Status.AT_RISK: 1, Status.MET: 2, Status.NO_DATA: 3}


class KpiScope(StrEnum):
    SERVICE = "SERVICE"
    TEAM = "TEAM"
    BUSINESS_UNIT = "BUSINESS_UNIT"
    ORGANISATION = "ORGANISATION"


class UnknownScope(LookupError):
    """The scope's id names no service, team or business unit."""


class ObjectiveRow(NamedTuple):
    """An objective as a roll-up reads it: the columns answering and ranking it need, not an
    ORM object (a roll-up of the organisation ranks thousands; a tuple is made ~15x faster
    than a frozen dataclass)."""

    id: uuid.UUID
    sla_id: uuid.UUID
    position: int
    metric: Metric
    comparator: Comparator
    target: float
    benchmark_value: float | None
    window_kind: WindowKind
    window_days: int | None
    scope_severity: str | None
    scope_priority: str | None
    scope_request_kind: str | None


class Ranked(NamedTuple):
    objective: ObjectiveRow
    service_id: uuid.UUID
    answer: Answer


@dataclass(frozen=True)
class Offender:
    """An objective in trouble that a summary can list, with its SLA and service loaded."""

    objective: Objective
    sla: Sla
    service_id: uuid.UUID
    answer: Answer


@dataclass(frozen=True)
class KpiSummary:
    scope: KpiScope
    scope_id: uuid.UUID | None
    scope_name: str
    window: Window
    service_count: int
    status_counts: dict[Status, int]
    metrics: dict[Metric, MetricValue]
    # The breached and at-risk objectives a summary can list, worst first (at most
    # MAX_OFFENDERS).
    troubled: list[Ranked]
    # The whole window before, the base of the pooled metrics' trend (measured on demand).
    window_before: Window
    service_ids: tuple[uuid.UUID, ...]
    time_zone: str
    counts_by_metric: dict[Metric, dict[Status, int]]
    # Set for the product owner's view: only the services this person owns are summed up.
    product_owner_id: uuid.UUID | None = None

    @property
    def objective_count(self) -> int:
        return sum(self.status_counts.values())

    def trend(self, metric: Metric, before: float | None) -> float | None:
        """The pooled value against `before`, signed so that positive is better."""
        now = self.metrics[metric].value
        if now is None or before is None:
            return None
        return now - before if metric in BETTER_WHEN_HIGHER else before - now

    def counts_of(self, metric: Metric) -> dict[Status, int]:
        """The scope's objectives on this metric, by status."""
        return dict(self.counts_by_metric.get(metric) or dict.fromkeys(Status, 0))

    def worst(self, limit: int) -> list[Ranked]:
        """Breached and at-risk objectives, worst first (at most MAX_OFFENDERS); `offenders`
        loads them as models."""
        return self.troubled[: min(limit, MAX_OFFENDERS)]


_TROUBLE = frozenset({Status.BREACHED, Status.AT_RISK})


@dataclass(frozen=True)
class ScopeFilter:
    scope: KpiScope
    scope_id: uuid.UUID | None = None
    # Only the services this person is the product owner of today (the product owner's view).
    product_owner_id: uuid.UUID | None = None
    today: date | None = None


def _scope_filter(query: _Query, chosen: ScopeFilter) -> _Query:
    """Narrow a query joining `service` to the scope's services."""
    scope, scope_id = chosen.scope, chosen.scope_id
    narrowed: Any = query
    if chosen.product_owner_id is not None:
        owned = holds_role(
            Service.id,
            chosen.product_owner_id,
            OwnershipRoleKind.PRODUCT_OWNER,
            chosen.today or utcnow().date(),
        )
        narrowed = narrowed.where(exists().where(owned))
    if scope is KpiScope.SERVICE:
        narrowed = narrowed.where(Service.id == scope_id)
    elif scope is KpiScope.TEAM:
        narrowed = narrowed.where(Service.owner_team_id == scope_id)
    elif scope is KpiScope.BUSINESS_UNIT:
        narrowed = narrowed.join(Team, Team.id == Service.owner_team_id).where(
            Team.business_unit_id == scope_id
        )
    return cast(_Query, narrowed)


async def scope_name(session: AsyncSession, scope: KpiScope, scope_id: uuid.UUID | None) -> str:
    """The scope's name; UnknownScope when its id names nothing of its kind."""
    if scope is KpiScope.ORGANISATION:
        return "Organisation"
    if scope is KpiScope.SERVICE:
        query = select(Service.name).where(Service.id == scope_id)
    elif scope is KpiScope.TEAM:
        query = select(Team.name).where(Team.id == scope_id)
    else:
        query = select(BusinessUnit.name).where(BusinessUnit.id == scope_id)
    found = await session.scalar(query)
    if found is None:
        raise UnknownScope(f"no {scope.value.lower().replace('_', ' ')} has this id")
    return str(found)


# Plain text for the enums: the rows are turned into ObjectiveRow below, by dictionary.
_OBJECTIVE_COLUMNS = (
    Objective.id,
    Objective.sla_id,
    Objective.position,
    type_coerce(Objective.metric, String),
    type_coerce(Objective.comparator, String),
    Objective.target,
    Objective.benchmark_value,
    type_coerce(Objective.window_kind, String),
    Objective.window_days,
    Objective.scope_severity,
    Objective.scope_priority,
    Objective.scope_request_kind,
)
_METRICS = {metric.value: metric for metric in Metric}
_COMPARATORS = {comparator.value: comparator for comparator in Comparator}
_WINDOW_KINDS = {kind.value: kind for kind in WindowKind}


async def _services_and_objectives(
    session: AsyncSession, chosen: ScopeFilter
) -> tuple[list[uuid.UUID], list[tuple[ObjectiveRow, uuid.UUID, str | None]]]:
    """The scope's live services, and the objectives of their live SLAs with their service
    and its time zone, as light rows, in no particular order: one statement."""
    query = (
        select(Service.id, repository.SERVICE_TIME_ZONE, *_OBJECTIVE_COLUMNS)
        .select_from(Service)
        .outerjoin(Sla, and_(Sla.service_id == Service.id, Sla.archived_at.is_(None)))
        .outerjoin(Objective, Objective.sla_id == Sla.id)
        .where(Service.archived_at.is_(None))
    )
    services: dict[uuid.UUID, None] = {}
    objectives = []
    # Core, not the ORM's row loading: plain tuples.
    connection = await session.connection()
    rows = (await connection.execute(_scope_filter(query, chosen))).all()
    for service_id, zone, objective_id, sla_id, position, metric, comparator, *rest in rows:
        services[service_id] = None
        if objective_id is None:
            continue
        target, benchmark, kind, days, severity, priority, request_kind = rest
        row = ObjectiveRow(
            objective_id,
            sla_id,
            position,
            _METRICS[metric],
            _COMPARATORS[comparator],
            target,
            benchmark,
            _WINDOW_KINDS[kind],
            days,
            severity,
            priority,
            request_kind,
        )
        objectives.append((row, service_id, zone))
    return list(services), objectives


async def offenders(session: AsyncSession, troubled: Sequence[Ranked]) -> list[Offender]:
    """These objectives of a summary as models, with their SLA (holding all its objectives)
    and its service, so the API shows them without another statement: one statement, for
    the few a summary lists rather than every objective and service of the scope."""
    if not troubled:
        return []
    rows = await session.execute(
        select(Objective, Sla, Service)
        .join(Sla, Sla.id == Objective.sla_id)
        .join(Service, Service.id == Sla.service_id)
        .where(
            Objective.sla_id.in_(list(dict.fromkeys(item.objective.sla_id for item in troubled)))
        )
        .order_by(Sla.id, Objective.position, Objective.id)
    )
    objectives: dict[uuid.UUID, Objective] = {}
    slas: dict[uuid.UUID, tuple[Sla, Service, list[Objective]]] = {}
    for objective, sla, service in rows:
        objectives[objective.id] = objective
        slas.setdefault(sla.id, (sla, service, []))[2].append(objective)
    for sla, service, own in slas.values():
        set_committed_value(sla, "service", service)
        set_committed_value(sla, "objectives", own)
    return [
        Offender(
            objectives[item.objective.id],
            slas[item.objective.sla_id][0],
            item.service_id,
            item.answer,
        )
        for item in troubled
    ]


def _distance(objective: ObjectiveRow, answer: Answer) -> float:
    """How far an answer stands from its target, relative to it: negative is short of it."""
    found = better_by(objective.comparator, answer.current_value, objective.target)
    if found is None:
        return float("inf")
    return found / abs(objective.target) if objective.target else found


def _rank_key(item: Ranked) -> tuple[int, float, float, uuid.UUID, int, uuid.UUID]:
    """Worst first; among equals in SLA, position and id order (PostgreSQL's uuid order is
    Python's: both compare the 16 bytes)."""
    budget = item.answer.error_budget
    objective = item.objective
    return (
        _STATUS_ORDER[item.answer.status],
        budget if budget is not None else float("inf"),
        _distance(objective, item.answer),
        objective.sla_id,
        objective.position,
        objective.id,
    )


async def kpi_summary(
    session: AsyncSession,
    chosen: ScopeFilter,
    as_of: datetime,
    settings: MetricSettings,
    window: WindowChoice | None = None,
) -> KpiSummary:
    """The scope's objectives (each over its own window, or `window`) and its pooled metrics
    (over `window`, a calendar month by default, in the organisation's time zone)."""
    scope, scope_id = chosen.scope, chosen.scope_id
    name = await scope_name(session, scope, scope_id)
    services, found = await _services_and_objectives(session, chosen)
    # No trend for the objectives: a summary shows none.
    plan = plan_answers(
        [Asked.of(row, service_id, zone, settings) for row, service_id, zone in found],
        as_of,
        window,
        trend=False,
    )
    pooled_window = window or DEFAULT_WINDOW
    zone = settings.org_timezone
    span = current_window(pooled_window.kind, pooled_window.days, as_of, zone)
    before = previous_window(pooled_window.kind, pooled_window.days, as_of, zone)
    members = tuple(services)
    # The pooled metrics are one more frame each, after the objectives': one statement.
    pooled = plan.keys
    frames = {metric: list(own) for metric, own in plan.frames.items()}
    if members:
        for metric in POOLED_METRICS:
            frames.setdefault(metric, []).append(Frame(pooled, members, span.start, span.end))
    measured = await measure_all(session, frames, settings)
    # Every objective counted by status; only the troubled ones answered in full and ranked.
    counts = dict.fromkeys(Status, 0)
    by_metric: dict[Metric, dict[Status, int]] = {}
    troubled = []
    nothing = MetricValue(None)
    for (row, service_id, _), own, values in zip(
        found, plan.windows, values_of(plan, measured), strict=True
    ):
        now = values[0]
        if now.value is None:
            status = Status.NO_DATA
        else:
            status, _ = judge(row.metric, row.comparator, row.target, now.value)
        counts[status] += 1
        if row.metric not in by_metric:
            by_metric[row.metric] = dict.fromkeys(Status, 0)
        by_metric[row.metric][status] += 1
        if status in _TROUBLE:
            troubled.append(Ranked(row, service_id, answer_over(row, own[0], now, nothing)))
    troubled.sort(key=_rank_key)
    return KpiSummary(
        scope=scope,
        scope_id=scope_id,
        scope_name=name,
        window=span,
        service_count=len(services),
        status_counts=counts,
        metrics={
            metric: measured.get(metric, {}).get(pooled, MetricValue(None))
            for metric in POOLED_METRICS
        },
        troubled=troubled[:MAX_OFFENDERS],
        window_before=before,
        service_ids=members,
        time_zone=zone,
        counts_by_metric=by_metric,
        product_owner_id=chosen.product_owner_id,
    )


async def pooled_before(
    session: AsyncSession,
    summary: KpiSummary,
    metrics: Sequence[Metric],
    settings: MetricSettings,
) -> dict[Metric, MetricValue]:
    """These pooled metrics over the window before the summary's: one statement."""
    before = summary.window_before
    frames: dict[Metric, list[Frame]] = {
        metric: [Frame(0, summary.service_ids, before.start, before.end)]
        if summary.service_ids
        else []
        for metric in metrics
    }
    measured = await measure_all(session, frames, settings)
    return {metric: measured.get(metric, {}).get(0, MetricValue(None)) for metric in metrics}


async def pooled_series(
    session: AsyncSession,
    summary: KpiSummary,
    metric: Metric,
    start: datetime,
    end: datetime,
    bucket: Bucket,
    settings: MetricSettings,
) -> list[tuple[Window, MetricValue]]:
    """A pooled metric of the summary's services per local day, week or month: one statement."""
    windows = list(buckets(start, end, bucket, summary.time_zone))
    if not summary.service_ids:
        return [(window, MetricValue(None)) for window in windows]
    frames = [
        Frame(key, summary.service_ids, window.start, window.end)
        for key, window in enumerate(windows)
    ]
    measured = await measure(session, metric, frames, settings)
    return [(window, measured[key]) for key, window in enumerate(windows)]
