"""The demo's SLAs and the readings the catalog cannot compute, so that the quarter of history
shows objectives met, at risk and breached, and an executive summary worth reading.

Targets are set against what the demo's requests, incidents and feedback produce over the
last 90 (or 30) days: some comfortably met, some met with little room (AT_RISK), some missed.
SLAs are keyed on (service, name) and readings on (metric, service, at), so a second run
creates nothing. The evaluation job then runs once, so `slaEvents` has something to show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.principal import Principal
from server.demo.kit import Tally
from service_levels import measurement_repository, sla_actions
from service_levels.evaluation import evaluate_objectives
from service_levels.measurement_repository import MeasurementRow
from service_levels.metric_sql import MetricSettings
from service_levels.models import Comparator, Measurement, MeasurementSource, Metric, Sla
from service_levels.models import WindowKind as W
from service_levels.sla_actions import ObjectiveSpec

HOUR = 3600.0
_MOST, _LEAST = Comparator.AT_MOST, Comparator.AT_LEAST


def _objective(
    metric: Metric,
    comparator: Comparator,
    target: float,
    *,
    days: int | None = 90,
    benchmark: float | None = None,
    **scope: str,
) -> ObjectiveSpec:
    return ObjectiveSpec(
        metric=metric,
        comparator=comparator,
        target=target,
        window_kind=W.ROLLING_DAYS if days else W.CALENDAR_QUARTER,
        window_days=days,
        benchmark_value=benchmark,
        scope_severity=scope.get("severity"),
        scope_priority=scope.get("priority"),
        scope_request_kind=scope.get("request_kind"),
    )


@dataclass(frozen=True)
class DemoSla:
    service: str
    name: str
    description: str
    objectives: tuple[ObjectiveSpec, ...]


SLAS = (
    DemoSla(
        "case-management",
        "Contact centre service level",
        "Agents cannot work cases without it: restore fast, answer requests on time.",
        (
            _objective(Metric.AVAILABILITY, _LEAST, 0.999, benchmark=0.995),
            _objective(Metric.MTTR, _MOST, 4 * HOUR, benchmark=6 * HOUR),  # missed: 65 h
            _objective(Metric.CLOCK_ATTAINMENT, _LEAST, 0.85),
        ),
    ),
    DemoSla(
        "billing-invoicing",
        "Billing run agreement",
        "Invoices leave on time; finance's requests are answered within the clocks.",
        (
            _objective(Metric.CLOCK_ATTAINMENT, _LEAST, 0.95, benchmark=0.9),  # little room
            _objective(Metric.AVAILABILITY, _LEAST, 0.995),
        ),
    ),
    DemoSla(
        "knowledge-base",
        "Knowledge quality",
        "Articles stay findable and right; authors' requests are handled on time.",
        (
            _objective(Metric.CLOCK_ATTAINMENT, _LEAST, 0.9),  # missed: 0.78
            _objective(Metric.SATISFACTION, _LEAST, 3.5, benchmark=3.0),  # missed: 2.7
            _objective(Metric.DEFECTS_RAISED, _MOST, 12),
        ),
    ),
    DemoSla(
        "cpq-quoting",
        "Quoting for sales",
        "Quotes can always be built; outages are restored within the sales day.",
        (
            _objective(Metric.MTTR, _MOST, 3.5 * HOUR, benchmark=5 * HOUR),  # 3.4 h: at risk
            _objective(Metric.CLOCK_ATTAINMENT, _LEAST, 0.9),
            _objective(Metric.SATISFACTION, _LEAST, 3.5),
        ),
    ),
    DemoSla(
        "opportunity-pipeline",
        "Pipeline management",
        "Sellers' pipeline is up and their asks are met.",
        (
            _objective(Metric.MTTR, _MOST, 6 * HOUR, benchmark=8 * HOUR),
            _objective(Metric.CLOCK_ATTAINMENT, _LEAST, 0.95),
            _objective(Metric.SATISFACTION, _LEAST, 3.5, benchmark=3.2),
            _objective(Metric.ADOPTION, _LEAST, 0.7, days=45),
        ),
    ),
    DemoSla(
        "identity-sso",
        "Sign-in",
        "Everyone can sign in to every org.",
        (
            _objective(Metric.AVAILABILITY, _LEAST, 0.995, benchmark=0.99),
            _objective(Metric.TIME_TO_ACKNOWLEDGE, _MOST, HOUR, severity="SEV2"),
        ),
    ),
    DemoSla(
        "field-service-scheduling",
        "Dispatch availability",
        "Technicians get their schedule every morning.",
        (
            _objective(Metric.AVAILABILITY, _LEAST, 0.997),  # missed: 0.994
            _objective(Metric.CLOCK_ATTAINMENT, _LEAST, 0.9),
        ),
    ),
    DemoSla(
        "omni-channel-routing",
        "Routing",
        "Work reaches the right agent; requests are answered on time.",
        (
            _objective(Metric.CLOCK_ATTAINMENT, _LEAST, 0.95),
            _objective(Metric.REQUEST_RESOLUTION_TIME, _MOST, 48 * HOUR, priority="P3"),
        ),
    ),
    DemoSla(
        "erp-customer-sync",
        "Customer master sync",
        "Accounts reach the ERP the same hour; failures are restored quickly.",
        (
            _objective(Metric.MTTR, _MOST, 5 * HOUR),
            _objective(Metric.CLOCK_ATTAINMENT, _LEAST, 0.9),
            _objective(Metric.EFFICIENCY_GAIN, _LEAST, 15_000, days=None),
        ),
    ),
    DemoSla(
        "revenue-recognition",
        "Close support",
        "The month-end close is never held up by the platform.",
        (
            _objective(Metric.MTTR, _MOST, 4 * HOUR),  # no incident this quarter: no data
            _objective(Metric.COST, _MOST, 15_000, days=None),
        ),
    ),
    DemoSla(
        "lead-management",
        "Lead intake",
        "Marketing's leads are routed within the hour; changes ship quickly.",
        (
            _objective(Metric.TIME_TO_MARKET, _MOST, 45 * 86400.0, benchmark=60 * 86400.0),
            _objective(Metric.ADOPTION, _LEAST, 0.8, days=45),  # 0.76: missed
        ),
    ),
)

# Monthly readings: adoption (active / licensed users), recorded cost and efficiency gains.
READINGS = (
    (Metric.ADOPTION, "opportunity-pipeline", (0.71, 0.74, 0.78)),
    (Metric.ADOPTION, "lead-management", (0.81, 0.79, 0.76)),
    (Metric.ADOPTION, "case-management", (0.88, 0.9, 0.91)),
    (Metric.EFFICIENCY_GAIN, "erp-customer-sync", (6_500.0, 8_200.0, 9_100.0)),
    (Metric.EFFICIENCY_GAIN, "omni-channel-routing", (12_000.0, 12_500.0, 14_000.0)),
    (Metric.COST, "revenue-recognition", (3_900.0, 4_100.0, 4_400.0)),
    (Metric.COST, "case-management", (11_000.0, 11_000.0, 11_800.0)),
)


def _month_starts(now: datetime) -> list[datetime]:
    """The first days of `now`'s month and the two before, oldest first (UTC)."""
    first = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = [first]
    for _ in range(2):
        first = (first - timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts[::-1]


async def _sla(
    session: AsyncSession,
    principal: Principal,
    services: dict[str, uuid.UUID],
    demo: DemoSla,
    tally: Tally,
) -> bool:
    service_id = services[demo.service]
    found = await session.scalar(
        select(Sla.id).where(Sla.service_id == service_id, Sla.name == demo.name)
    )
    tally("sla", created=found is None)
    if found is not None:
        return False
    await sla_actions.create_sla(
        session,
        principal=principal,
        service_id=service_id,
        name=demo.name,
        description=demo.description,
        review_interval_days=90,
        objectives=demo.objectives,
    )
    return True


async def _readings(
    session: AsyncSession, services: dict[str, uuid.UUID], now: datetime, tally: Tally
) -> None:
    months = _month_starts(now)
    rows = [
        MeasurementRow(metric=metric, service_id=services[slug], at=month, value=value)
        for metric, slug, values in READINGS
        for month, value in zip(months, values, strict=True)
    ]
    stored = set(
        await session.execute(
            select(Measurement.metric, Measurement.service_id, Measurement.at).where(
                Measurement.service_id.in_({row.service_id for row in rows})
            )
        )
    )
    for row in rows:
        tally("measurement", created=(row.metric, row.service_id, row.at) not in stored)
    await measurement_repository.upsert(
        session, rows, source=MeasurementSource.IMPORT, recorded_by="seed-demo"
    )


async def seed_demo_slas(
    session: AsyncSession,
    *,
    principal: Principal,
    services: dict[str, uuid.UUID],
    now: datetime,
    settings: MetricSettings,
    tally: Tally,
) -> None:
    created = [await _sla(session, principal, services, demo, tally) for demo in SLAS]
    await _readings(session, services, now, tally)
    if any(created):
        # What the evaluation job would have found; later runs are the worker's to make.
        await evaluate_objectives(session, now, settings=settings)
