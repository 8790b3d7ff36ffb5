"""KPI roll-ups for a service, a team, a business unit or the organisation.

A summary counts the scope's objectives by status, pools every computable metric over all the
scope's services at once (MTTR = total restore time / incidents, satisfaction = all ratings
together, availability = the tier-weighted mean; service_levels.metric_sql) and lists the
worst objectives first: breached before at risk, then by least error budget left, then by how
far they stand from their target. Its cost in statements does not depend on the scope's size.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from catalog.services.models import OwnershipRoleKind, Service
from catalog.services.repository import holds_role
from core.clock import utcnow
from identity.models import BusinessUnit, Team
from service_levels import repository
from service_levels.frames import Frame, MetricValue
from service_levels.metric_sql import MetricSettings, measure, measure_all
from service_levels.models import Metric, Objective, Sla, WindowKind
from service_levels.objective_answers import Asked, WindowChoice, answers_of
from service_levels.objectives import Answer, Status, better_by
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


@dataclass(frozen=True)
class Offender:
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
    ranked: list[Offender]
    # The whole window before, the base of the pooled metrics' trend (measured on demand).
    window_before: Window
    service_ids: tuple[uuid.UUID, ...]
    time_zone: str

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
        counts = dict.fromkeys(Status, 0)
        for item in self.ranked:
            if item.objective.metric is metric:
                counts[item.answer.status] += 1
        return counts

    def worst(self, limit: int) -> list[Offender]:
        """Breached and at-risk objectives, worst first (at most MAX_OFFENDERS)."""
        return _troubled(self.ranked)[: min(limit, MAX_OFFENDERS)]


_TROUBLE = frozenset({Status.BREACHED, Status.AT_RISK})


def _troubled(ranked: list[Offender]) -> list[Offender]:
    return [item for item in ranked if item.answer.status in _TROUBLE]


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


async def _scope_name(session: AsyncSession, scope: KpiScope, scope_id: uuid.UUID | None) -> str:
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


async def _services(session: AsyncSession, chosen: ScopeFilter) -> list[uuid.UUID]:
    query = select(Service.id).where(Service.archived_at.is_(None))
    return list(await session.scalars(_scope_filter(query, chosen)))


async def _objectives(
    session: AsyncSession, chosen: ScopeFilter
) -> list[tuple[Objective, Sla, str | None]]:
    """The objectives of the scope's live SLAs with their service's time zone."""
    query = (
        select(Objective, Sla, repository.SERVICE_TIME_ZONE)
        .join(Sla, Sla.id == Objective.sla_id)
        .join(Service, Service.id == Sla.service_id)
        .where(Sla.archived_at.is_(None), Service.archived_at.is_(None))
        .order_by(Sla.id, Objective.position, Objective.id)
    )
    return [(row[0], row[1], row[2]) for row in await session.execute(_scope_filter(query, chosen))]


async def _load_shown(
    session: AsyncSession, shown: list[Offender], objectives: list[Objective]
) -> None:
    """The SLAs of the offenders a summary can list (at most MAX_OFFENDERS) get their service
    (one statement, instead of every service of the scope in full) and all their objectives,
    so the API shows them without another statement."""
    slas = {item.sla.id: item.sla for item in shown}
    if not slas:
        return
    ids = {sla.service_id for sla in slas.values()}
    services = {
        row.id: row for row in await session.scalars(select(Service).where(Service.id.in_(ids)))
    }
    by_sla: dict[uuid.UUID, list[Objective]] = {key: [] for key in slas}
    for objective in objectives:  # in SLA, position, id order
        if objective.sla_id in by_sla:
            by_sla[objective.sla_id].append(objective)
    for sla in slas.values():
        set_committed_value(sla, "service", services[sla.service_id])
        set_committed_value(sla, "objectives", by_sla[sla.id])


def _distance(objective: Objective, answer: Answer) -> float:
    """How far an answer stands from its target, relative to it: negative is short of it."""
    found = better_by(objective.comparator, answer.current_value, objective.target)
    if found is None:
        return float("inf")
    return found / abs(objective.target) if objective.target else found


def _rank_key(item: Offender) -> tuple[int, float, float]:
    budget = item.answer.error_budget
    return (
        _STATUS_ORDER[item.answer.status],
        budget if budget is not None else float("inf"),
        _distance(item.objective, item.answer),
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
    name = await _scope_name(session, scope, scope_id)
    services = await _services(session, chosen)
    found = await _objectives(session, chosen)
    # The objectives are at hand: no second read, and no trend (a summary shows none).
    asked = [Asked.of(objective, sla.service_id, zone, settings) for objective, sla, zone in found]
    answers = await answers_of(session, asked, as_of, settings, window, trend=False)
    ranked = sorted(
        (
            Offender(objective, sla, sla.service_id, answers[objective.id])
            for objective, sla, _ in found
        ),
        key=_rank_key,
    )
    await _load_shown(
        session, _troubled(ranked)[:MAX_OFFENDERS], [objective for objective, _, _ in found]
    )
    counts = dict.fromkeys(Status, 0)
    for item in ranked:
        counts[item.answer.status] += 1
    pooled_window = window or DEFAULT_WINDOW
    zone = settings.org_timezone
    span = current_window(pooled_window.kind, pooled_window.days, as_of, zone)
    before = previous_window(pooled_window.kind, pooled_window.days, as_of, zone)
    members = tuple(services)
    frames: dict[Metric, list[Frame]] = {
        metric: [Frame(0, members, span.start, span.end)] if services else []
        for metric in POOLED_METRICS
    }
    measured = await measure_all(session, frames, settings)
    return KpiSummary(
        scope=scope,
        scope_id=scope_id,
        scope_name=name,
        window=span,
        service_count=len(services),
        status_counts=counts,
        metrics={
            metric: measured.get(metric, {}).get(0, MetricValue(None)) for metric in POOLED_METRICS
        },
        ranked=ranked,
        window_before=before,
        service_ids=members,
        time_zone=zone,
    )


async def pooled_before(
    session: AsyncSession,
    summary: KpiSummary,
    metrics: Sequence[Metric],
    settings: MetricSettings,
) -> dict[Metric, MetricValue]:
    """These pooled metrics over the window before the summary's: a statement a metric."""
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
