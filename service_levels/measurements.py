"""Recording measurements: values the catalog cannot compute, one per (metric, service, at).

Adoption is a fraction from 0 to 1; cost and efficiency gains are non-negative amounts in
CATALOG_CURRENCY; custom values are any finite number. Recording the same value again
changes nothing; another value for the same (metric, service, at) replaces it.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.permissions import require_service_editor
from catalog.services import actions as services
from catalog.services.models import Service
from core.clock import utcnow
from core.errors import DomainError, DomainErrors, Invalid, NotFound, TooLong
from core.records import require_found
from identity.principal import Principal, Role
from service_levels import measurement_repository as repository
from service_levels.measurement_repository import MeasurementRow
from service_levels.models import Measurement, MeasurementSource, Metric

RECORDABLE = frozenset({Metric.ADOPTION, Metric.COST, Metric.EFFICIENCY_GAIN, Metric.CUSTOM})
AMOUNTS = frozenset({Metric.COST, Metric.EFFICIENCY_GAIN})
# Clocks drift: a value stamped a little ahead of ours is still a value of now.
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_NOTE = 2_000
MAX_DETAILS_CHARS = 10_000


@dataclass(frozen=True)
class Reading:
    """A measurement as a caller gives it, before it is checked."""

    metric: Metric | str
    at: datetime
    value: float
    note: str | None = None
    details: dict[str, Any] | None = None
    vendor_attributed: bool = False


def _metric_error(metric: Metric | str, where: list[str]) -> DomainError | None:
    if metric in RECORDABLE:
        return None
    recordable = ", ".join(sorted(RECORDABLE))
    if metric in Metric.__members__:
        return Invalid(
            f"{metric} is computed by the catalog; only {recordable} are recorded",
            field=[*where, "metric"],
        )
    return Invalid(
        f"unknown metric {metric!r}; recorded are {recordable}", field=[*where, "metric"]
    )


def _value_error(metric: Metric | str, value: float, where: list[str]) -> DomainError | None:
    field = [*where, "value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return Invalid("value must be a finite number", field=field)
    if metric == Metric.ADOPTION and not 0 <= value <= 1:
        return Invalid("adoption is a fraction from 0 to 1", field=field)
    if metric in AMOUNTS and value < 0:
        return Invalid(f"{metric} is an amount and must not be negative", field=field)
    return None


def _at_error(at: datetime, now: datetime, where: list[str]) -> DomainError | None:
    if at.tzinfo is None:
        return Invalid("at needs a time-zone offset", field=[*where, "at"])
    if at > now + FUTURE_TOLERANCE:
        return Invalid("at is in the future", field=[*where, "at"])
    return None


def _text_errors(given: Reading, where: list[str]) -> list[DomainError]:
    errors: list[DomainError] = []
    if given.note is not None and len(given.note.strip()) > MAX_NOTE:
        errors.append(TooLong(f"note is at most {MAX_NOTE} characters", field=[*where, "note"]))
    if given.details is not None:
        if not isinstance(given.details, dict):
            errors.append(Invalid("details must be a JSON object", field=[*where, "details"]))
        elif len(json.dumps(given.details, allow_nan=False, default=str)) > MAX_DETAILS_CHARS:
            errors.append(
                TooLong(
                    f"details take at most {MAX_DETAILS_CHARS} characters of JSON",
                    field=[*where, "details"],
                )
            )
    return errors


def reading_errors(
    given: Reading, *, now: datetime, where: Sequence[str] = ()
) -> list[DomainError]:
    """Everything wrong with a reading, each error naming its field under `where`."""
    path = list(where)
    found = [
        _metric_error(given.metric, path),
        _value_error(given.metric, given.value, path),
        _at_error(given.at, now, path),
    ]
    errors = [error for error in found if error is not None]
    try:
        errors.extend(_text_errors(given, path))
    except ValueError:  # NaN or infinity inside details
        errors.append(Invalid("details must be finite JSON", field=[*path, "details"]))
    return errors


def row_of(given: Reading, service_id: uuid.UUID) -> MeasurementRow:
    """A checked reading as the row to store, its time in UTC."""
    return MeasurementRow(
        metric=Metric(given.metric),
        service_id=service_id,
        at=given.at.astimezone(UTC),
        value=float(given.value),
        note=(given.note or "").strip(),
        details=given.details,
        vendor_attributed=given.vendor_attributed,
    )


def require_recorder(principal: Principal, service: Service) -> None:
    """The owner team or an ADMIN, as for any change to the service; or a machine client
    granted TEAM_MEMBER (a cost or BI feed), which belongs to no team."""
    if principal.is_machine and principal.has_role(Role.TEAM_MEMBER):
        return
    require_service_editor(principal, service.owner_team_id)


@dataclass(frozen=True)
class Recorded:
    measurement: Measurement
    created: bool
    updated: bool


async def _recordable_service(session: AsyncSession, service_id: uuid.UUID) -> Service | None:
    service = await services.get_service(session, service_id)
    return service if service is not None and service.archived_at is None else None


async def record_measurement(
    session: AsyncSession, *, principal: Principal, service_id: uuid.UUID, given: Reading
) -> Recorded:
    """Record one value for a service (its owner team, an ADMIN or a machine feed)."""
    service = await _recordable_service(session, service_id)
    if service is not None:
        require_recorder(principal, service)
    errors = reading_errors(given, now=utcnow())
    if service is None:
        errors.insert(0, NotFound("no such service", field=["serviceId"]))
    if errors:
        raise DomainErrors(errors)
    assert service is not None
    row = row_of(given, service.id)
    written = await repository.upsert(
        session, [row], source=MeasurementSource.MANUAL, recorded_by=principal.actor
    )
    stored = await repository.find(session, metric=row.metric, service_id=row.service_id, at=row.at)
    stored = require_found(stored, what="measurement")
    created = bool(written) and written[0].created
    return Recorded(stored, created=created, updated=bool(written) and not created)
