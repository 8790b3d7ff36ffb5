"""The sync: the Trust API's incidents (and, daily, maintenances) of every instance the
catalog's orgs run on, upserted by Trust id.

Idempotent: a second run with nothing changed upserts the same rows. A feed whose every
instance was read moves its `synced_at`; one that failed keeps the old one and notes the error,
so objective answers can tell stale vendor data (service_levels.metric_sql).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.trust import repository
from catalog.trust.models import INCIDENTS, MAINTENANCES
from salesforce.errors import SalesforceError
from salesforce.trust import TrustClient, TrustIncident, TrustMaintenance

# A quarter and a bit: the longest objective window (a calendar quarter) and its trend.
INCIDENT_LOOKBACK = timedelta(days=200)
MAINTENANCE_LOOKBACK = timedelta(days=30)
logger = logging.getLogger(__name__)


@dataclass
class TrustReport:
    feed: str
    instances: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    records: int = 0

    @property
    def complete(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        head = (
            f"Trust {self.feed.lower()} of {len(self.instances) - len(self.failed)} of"
            f" {len(self.instances)} instances read ({self.records} records)"
        )
        return "; ".join([head, *(f"{key}: {text}" for key, text in self.failed.items())])


async def sync_incidents(
    session: AsyncSession, *, client: TrustClient, now: datetime
) -> TrustReport:
    """Upsert every instance's Trust incidents of the lookback."""
    report = TrustReport(INCIDENTS, await repository.instance_keys(session))
    found: list[TrustIncident] = []
    for key in report.instances:
        try:
            found += await client.incidents(key, since=now - INCIDENT_LOOKBACK)
        except SalesforceError as error:
            logger.warning("Trust incidents of %s: %s", key, error.reason)
            report.failed[key] = error.reason
    await repository.upsert_incidents(session, found, now)
    report.records = len({item.id for item in found})
    failure = "; ".join(f"{key}: {text}" for key, text in report.failed.items()) or None
    await repository.record_sync(session, INCIDENTS, now, failure)
    return report


async def sync_maintenances(
    session: AsyncSession, *, client: TrustClient, now: datetime
) -> TrustReport:
    """Upsert every instance's maintenances planned from a month ago on (releases included)."""
    report = TrustReport(MAINTENANCES, await repository.instance_keys(session))
    found: list[TrustMaintenance] = []
    for key in report.instances:
        try:
            found += await client.maintenances(key, since=now - MAINTENANCE_LOOKBACK)
        except SalesforceError as error:
            logger.warning("Trust maintenances of %s: %s", key, error.reason)
            report.failed[key] = error.reason
        except ValueError as error:  # a maintenance without planned times
            report.failed[key] = str(error)
    await repository.upsert_maintenances(session, found, now)
    report.records = len({item.id for item in found})
    failure = "; ".join(f"{key}: {text}" for key, text in report.failed.items()) or None
    await repository.record_sync(session, MAINTENANCES, now, failure)
    return report
