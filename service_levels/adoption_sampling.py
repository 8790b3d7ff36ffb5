"""Adoption sampled from Salesforce: active ÷ licensed users of each connected production org,
recorded once a day as an ADOPTION measurement of every running service on that org.

The sample is stamped at the start of its UTC day, so running it again the same day
changes the same row (or nothing). An org that fails is reported and skipped; the others
are still recorded. A service on several connected orgs takes their summed users, and is
skipped for the day when one of them failed, rather than recorded from a part.

A service that declares a Salesforce footprint, on an org whose Event Monitoring logs the
`salesforce-event-logs` job reads, is recorded with its own active users instead of the
org's: the distinct users active with its apps, objects or permission sets over the 30 days
before the sample, over the same licensed users.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.event_monitoring import actions as event_monitoring
from catalog.services import actions as services
from salesforce.deadline import Deadline
from salesforce.errors import SalesforceError
from salesforce.records import Adoption
from service_levels import measurement_repository as repository
from service_levels.measurement_repository import MeasurementRow
from service_levels.models import MeasurementSource, Metric

ACTOR = "salesforce-adoption-sampling"
# Active users are counted over this many days, as the org's figure (LastLoginDate) is.
ACTIVE_DAYS = 30

logger = logging.getLogger(__name__)


class AdoptionSource(Protocol):
    """What the sampling needs of the Salesforce gateway."""

    def deadline(self) -> Deadline: ...

    async def adoption(self, ref: str, *, deadline: Deadline) -> Adoption: ...


@dataclass
class SamplingReport:
    recorded: int = 0  # new or changed rows
    unchanged: int = 0
    skipped: int = 0  # services with a failed or unlicensed org
    orgs: dict[str, str] = field(default_factory=dict)  # reference -> what happened
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        sampled = self.recorded + self.unchanged
        head = (
            f"adoption of {sampled} services sampled ({self.recorded} recorded,"
            f" {self.unchanged} unchanged, {self.skipped} skipped)"
        )
        return "; ".join([head, *(f"{ref}: {text}" for ref, text in self.orgs.items())])


def day_start(moment: datetime) -> datetime:
    """The start of the moment's UTC day: the one `at` of a day's sample."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


async def _read(source: AdoptionSource, ref: str) -> Adoption | SalesforceError:
    try:
        return await source.adoption(ref, deadline=source.deadline())
    except SalesforceError as error:
        logger.warning("adoption sampling: %s", error)
        return error


def _usable(
    ref: str, answer: Adoption | SalesforceError, report: SamplingReport
) -> Adoption | None:
    """The org's answer if it can be divided; else None, and the report says why."""
    if isinstance(answer, SalesforceError):
        report.orgs[ref] = str(answer)
        report.failed.append(ref)
        return None
    if answer.licensed_users <= 0:
        report.orgs[ref] = "no licensed users: nothing to divide by"
        report.failed.append(ref)
        return None
    report.orgs[ref] = f"{answer.active_users} of {answer.licensed_users} licensed users active"
    return answer


def _rows(
    on_orgs: dict[str, list[uuid.UUID]],
    answers: dict[str, Adoption | None],
    at: datetime,
    own_users: dict[uuid.UUID, int],
) -> tuple[list[MeasurementRow], int]:
    """One row per service whose every org answered; and how many services were skipped."""
    refs_of: dict[uuid.UUID, list[str]] = {}
    for ref, service_ids in on_orgs.items():
        for service_id in service_ids:
            refs_of.setdefault(service_id, []).append(ref)
    rows: list[MeasurementRow] = []
    for service_id, refs in refs_of.items():
        found = [answers.get(ref) for ref in refs]
        readings = [item for item in found if item is not None]
        if len(readings) < len(found):
            continue
        active = sum(item.active_users for item in readings)
        licensed = sum(item.licensed_users for item in readings)
        details: dict[str, object] = {}
        if service_id in own_users:  # its own users, from the event logs
            active, details = own_users[service_id], {"source": "eventLogs"}
        rows.append(
            MeasurementRow(
                metric=Metric.ADOPTION,
                service_id=service_id,
                at=at,
                # Active Chatter-only users hold no counted licence: never above 1.
                value=min(1.0, active / licensed),
                details={"activeUsers": active, "licensedUsers": licensed, **details},
            )
        )
    return rows, len(refs_of) - len(rows)


async def sample_adoption(
    session: AsyncSession, *, source: AdoptionSource, refs: Sequence[str], now: datetime
) -> SamplingReport:
    """Read each connected org once and record the day's adoption of the services on it."""
    report = SamplingReport()
    on_orgs = await services.services_on_production_orgs(session, refs)
    asked = sorted(on_orgs)
    read = await asyncio.gather(*(_read(source, ref) for ref in asked))
    answers = {ref: _usable(ref, answer, report) for ref, answer in zip(asked, read, strict=True)}
    at = day_start(now)
    service_ids = sorted({service_id for ids in on_orgs.values() for service_id in ids})
    own_users = await event_monitoring.active_users_by_service(
        session,
        service_ids,
        (at - timedelta(days=ACTIVE_DAYS)).date(),
        (at - timedelta(days=1)).date(),
    )
    rows, report.skipped = _rows(on_orgs, answers, at, own_users)
    written = await repository.upsert(
        session, rows, source=MeasurementSource.SALESFORCE, recorded_by=ACTOR
    )
    report.recorded, report.unchanged = len(written), len(rows) - len(written)
    return report
