"""Business rules of SLAs: create, change, archive, review (the service's owner team)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.permissions import require_service_editor
from catalog.services import actions as services
from core.clock import utcnow
from core.errors import DomainError, DomainErrors, Invalid, NotFound
from core.records import archive_record, check_version, require_found
from core.validation import text_field
from identity.principal import Principal
from service_levels.models import Comparator, Metric, Objective, Sla, WindowKind
from service_levels.objectives import RATIO_METRICS, SCOPES_BY_METRIC
from work.incidents.models import Severity
from work.requests.models import Priority, RequestKind

MAX_WINDOW_DAYS = 366


@dataclass(frozen=True)
class ObjectiveSpec:
    metric: Metric
    comparator: Comparator
    target: float
    window_kind: WindowKind
    window_days: int | None = None
    benchmark_value: float | None = None
    benchmark_date: date | None = None
    scope_severity: str | None = None
    scope_priority: str | None = None
    scope_request_kind: str | None = None


def _objective_errors(index: int, spec: ObjectiveSpec) -> list[DomainError]:
    where = ["objectives", str(index)]
    errors: list[DomainError] = []
    if spec.metric in RATIO_METRICS and not 0 <= spec.target <= 1:
        errors.append(Invalid("a ratio target is a fraction from 0 to 1", field=[*where, "target"]))
    elif spec.target < 0:
        errors.append(Invalid("target must not be negative", field=[*where, "target"]))
    rolling = spec.window_kind is WindowKind.ROLLING_DAYS
    if rolling and not (spec.window_days and 0 < spec.window_days <= MAX_WINDOW_DAYS):
        errors.append(
            Invalid(
                f"a rolling window needs windowDays from 1 to {MAX_WINDOW_DAYS}",
                field=[*where, "windowDays"],
            )
        )
    if not rolling and spec.window_days is not None:
        errors.append(
            Invalid("windowDays is for ROLLING_DAYS windows", field=[*where, "windowDays"])
        )
    scopes = [spec.scope_severity, spec.scope_priority, spec.scope_request_kind]
    if sum(value is not None for value in scopes) > 1:
        errors.append(
            Invalid("a scope is one severity, priority or request kind", field=[*where, "scope"])
        )
    for value, allowed in (
        (spec.scope_severity, Severity),
        (spec.scope_priority, Priority),
        (spec.scope_request_kind, RequestKind),
    ):
        if value is not None and value not in {item.value for item in allowed}:
            errors.append(Invalid(f"unknown scope {value!r}", field=[*where, "scope"]))
    for value, kind in (
        (spec.scope_severity, "severity"),
        (spec.scope_priority, "priority"),
        (spec.scope_request_kind, "request kind"),
    ):
        if value is not None and kind not in SCOPES_BY_METRIC.get(spec.metric, ()):
            fits = " or ".join(SCOPES_BY_METRIC.get(spec.metric, ())) or "no scope"
            errors.append(
                Invalid(
                    f"{spec.metric.value} cannot be scoped by {kind} (it takes {fits})",
                    field=[*where, "scope"],
                )
            )
    return errors


def _check(objectives: Sequence[ObjectiveSpec]) -> None:
    errors = [error for i, spec in enumerate(objectives) for error in _objective_errors(i, spec)]
    if errors:
        raise DomainErrors(errors)


def _objective_values(spec: ObjectiveSpec) -> dict[str, Any]:
    return {
        "metric": spec.metric,
        "comparator": spec.comparator,
        "target": spec.target,
        "window_kind": spec.window_kind,
        "window_days": spec.window_days,
        "benchmark_value": spec.benchmark_value,
        "benchmark_date": spec.benchmark_date,
        "scope_severity": spec.scope_severity,
        "scope_priority": spec.scope_priority,
        "scope_request_kind": spec.scope_request_kind,
    }


def _add_objective(
    session: AsyncSession, sla_id: uuid.UUID, position: int, spec: ObjectiveSpec
) -> None:
    session.add(
        Objective(id=uuid.uuid4(), sla_id=sla_id, position=position, **_objective_values(spec))
    )


async def _editable_service_team(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID
) -> uuid.UUID:
    service = await services.get_service(session, service_id)
    if service is None or service.archived_at is not None:
        raise NotFound("no such service", field=["serviceId"])
    require_service_editor(principal, service.owner_team_id)
    return service.id


async def create_sla(
    session: AsyncSession,
    *,
    principal: Principal,
    service_id: uuid.UUID,
    name: str,
    description: str | None,
    review_interval_days: int | None,
    objectives: Sequence[ObjectiveSpec],
) -> Sla:
    """Agree an SLA on a service, with its objectives (the service's owner team)."""
    service_id = await _editable_service_team(session, principal, service_id)
    _check(objectives)
    sla = Sla(
        id=uuid.uuid4(),
        service_id=service_id,
        name=text_field(name, field="name", max_length=200),
        description=text_field(
            description or "", field="description", max_length=10_000, required=False
        ),
        review_interval_days=_interval(review_interval_days),
    )
    session.add(sla)
    await session.flush()
    for position, spec in enumerate(objectives):
        _add_objective(session, sla.id, position, spec)
    await session.flush()
    return sla


def _interval(days: int | None) -> int:
    if days is None:
        return 90
    if not 0 < days <= 3650:
        raise Invalid("reviewIntervalDays must be from 1 to 3650", field=["reviewIntervalDays"])
    return days


async def _locked(session: AsyncSession, sla_id: uuid.UUID) -> Sla:
    sla = await session.scalar(select(Sla).where(Sla.id == sla_id).with_for_update())
    return require_found(sla, what="SLA")


async def update_sla(
    session: AsyncSession,
    *,
    principal: Principal,
    sla_id: uuid.UUID,
    version: int | None,
    name: str | None = None,
    description: str | None = None,
    review_interval_days: int | None = None,
    objectives: Sequence[ObjectiveSpec] | None = None,
) -> Sla:
    """Change an SLA; given objectives replace the old ones, those with the same metric and
    scope at the same position edited in place (see _replace_objectives)."""
    sla = await _locked(session, sla_id)
    await _editable_service_team(session, principal, sla.service_id)
    check_version(sla, version)
    if sla.archived_at is not None:
        raise Invalid("an archived SLA no longer changes", field=["id"])
    if name is not None:
        sla.name = text_field(name, field="name", max_length=200)
    if description is not None:
        sla.description = text_field(
            description, field="description", max_length=10_000, required=False
        )
    if review_interval_days is not None:
        sla.review_interval_days = _interval(review_interval_days)
    if objectives is not None:
        _check(objectives)
        await _replace_objectives(session, sla.id, objectives)
    await session.flush()
    return sla


async def _replace_objectives(
    session: AsyncSession, sla_id: uuid.UUID, specs: Sequence[ObjectiveSpec]
) -> None:
    """An objective whose position keeps its metric and scope is edited in place, keeping
    its id, history and SLA events (a new target is an edit); any other is replaced, and
    those past the end are removed with their events."""
    current = list(
        await session.scalars(
            select(Objective)
            .where(Objective.sla_id == sla_id)
            .order_by(Objective.position, Objective.id)
            .with_for_update()
        )
    )
    removed: list[uuid.UUID] = []
    added: list[tuple[int, ObjectiveSpec]] = []
    for position, spec in enumerate(specs):
        objective = current[position] if position < len(current) else None
        if objective is not None and _identity(objective) == _spec_identity(spec):
            for name, value in _objective_values(spec).items():
                setattr(objective, name, value)
            continue
        if objective is not None:
            removed.append(objective.id)
        added.append((position, spec))
    removed.extend(objective.id for objective in current[len(specs) :])
    if removed:
        await session.execute(delete(Objective).where(Objective.id.in_(removed)))
    for position, spec in added:
        _add_objective(session, sla_id, position, spec)


def _identity(objective: Objective) -> tuple[object, ...]:
    return (
        objective.metric,
        objective.scope_severity,
        objective.scope_priority,
        objective.scope_request_kind,
    )


def _spec_identity(spec: ObjectiveSpec) -> tuple[object, ...]:
    return (spec.metric, spec.scope_severity, spec.scope_priority, spec.scope_request_kind)


async def archive_sla(
    session: AsyncSession, *, principal: Principal, sla_id: uuid.UUID, version: int
) -> Sla:
    sla = await _locked(session, sla_id)
    await _editable_service_team(session, principal, sla.service_id)
    await archive_record(session, sla, version)
    return sla


async def confirm_sla_review(
    session: AsyncSession, *, principal: Principal, sla_id: uuid.UUID
) -> Sla:
    """Record an owner review of the SLA: it is fresh again."""
    sla = await _locked(session, sla_id)
    await _editable_service_team(session, principal, sla.service_id)
    sla.last_reviewed_at = utcnow()
    await session.flush()
    return sla
