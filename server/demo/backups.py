"""The demo's backups and restore drills: every production org backed up nightly for a week
(Global CRM hourly too, for its one-hour RPO services), and restore drills within the
quarter on Global CRM and Revenue Cloud. Partner Community's last successful drill is 130
days old (a later one failed), so its RESTRICTED Data Subject Requests service is flagged
(`Service.dataLossReadiness`, `kpiSummary.dataLossAtRisk`). Idempotent: backups by their
external id, drills by their notes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.backups import actions
from catalog.backups.models import (
    BackupOutcome,
    BackupScope,
    RestoreDrill,
    RestoreDrillOutcome,
)
from catalog.orgs.models import SalesforceOrg
from server.demo.kit import SEED_PRINCIPAL, Tally

NIGHTLY_DAYS = 7
HOURLY_ORGS = ("crm-prod",)
HOURS = 24


@dataclass(frozen=True)
class DemoDrill:
    org: str
    days_ago: int
    outcome: RestoreDrillOutcome
    records: int
    minutes: int
    notes: str


DRILLS = (
    DemoDrill("crm-prod", 35, RestoreDrillOutcome.SUCCEEDED, 182_000, 95,
              "Accounts, Contacts and Cases restored into the UAT sandbox"),
    DemoDrill("revenue-prod", 21, RestoreDrillOutcome.SUCCEEDED, 64_000, 50,
              "Quotes and invoices restored into a scratch org"),
    DemoDrill("partner-prod", 130, RestoreDrillOutcome.SUCCEEDED, 12_500, 40,
              "Partner accounts restored into QA"),
    DemoDrill("partner-prod", 12, RestoreDrillOutcome.FAILED, 0, 25,
              "Restore stopped: the QA sandbox lacked the partner record types"),
)  # fmt: skip
PROVIDERS = {"crm-prod": "OwnBackup", "revenue-prod": "OwnBackup"}


def _runs(key: str, now: datetime) -> list[actions.BackupSpec]:
    """An org's backups: nightly FULL runs, hourly INCREMENTAL ones."""
    source = PROVIDERS.get(key, "Salesforce Backup")
    runs = []
    for day in range(NIGHTLY_DAYS):
        finished = now - timedelta(days=day, hours=1)
        # One of Partner Community's nights failed halfway.
        outcome = BackupOutcome.PARTIAL if key == "partner-prod" and day == 3 else None
        runs.append(
            actions.BackupSpec(
                scope=BackupScope.FULL,
                started_at=finished - timedelta(minutes=45),
                finished_at=finished,
                outcome=outcome or BackupOutcome.SUCCEEDED,
                records=250_000 - day * 1_000,
                location=f"s3://acme-salesforce-backups/{key}/nightly-{day}",
                source=source,
                external_id=f"{key}-nightly-{day}",
            )
        )
    if key in HOURLY_ORGS:
        for hour in range(HOURS):
            finished = now - timedelta(hours=hour, minutes=10)
            runs.append(
                actions.BackupSpec(
                    scope=BackupScope.INCREMENTAL,
                    started_at=finished - timedelta(minutes=5),
                    finished_at=finished,
                    outcome=BackupOutcome.SUCCEEDED,
                    records=300 + hour * 7,
                    location=f"s3://acme-salesforce-backups/{key}/hourly-{hour}",
                    source=source,
                    external_id=f"{key}-hourly-{hour}",
                )
            )
    return runs


async def _backups(
    session: AsyncSession, org: SalesforceOrg, key: str, now: datetime, tally: Tally
) -> None:
    for spec in _runs(key, now):
        _, created = await actions.store_backup(
            session, org=org, spec=spec, recorded_by=SEED_PRINCIPAL.actor
        )
        tally("backup", created=created)


async def _drill(
    session: AsyncSession, org_id: uuid.UUID, drill: DemoDrill, now: datetime, tally: Tally
) -> None:
    found = await session.scalar(
        select(RestoreDrill.id).where(
            RestoreDrill.salesforce_org_id == org_id, RestoreDrill.notes == drill.notes
        )
    )
    tally("restore_drill", created=found is None)
    if found is None:
        session.add(
            RestoreDrill(
                id=uuid.uuid4(),
                salesforce_org_id=org_id,
                performed_at=now - timedelta(days=drill.days_ago),
                outcome=drill.outcome,
                records_restored=drill.records,
                duration_seconds=drill.minutes * 60,
                notes=drill.notes,
                recorded_by=SEED_PRINCIPAL.actor,
            )
        )
        await session.flush()


async def seed_demo_backups(
    session: AsyncSession, *, orgs: dict[str, uuid.UUID], now: datetime, tally: Tally
) -> None:
    """Backups of the production orgs and their restore drills (by org key)."""
    for key in ("crm-prod", "revenue-prod", "partner-prod"):
        org = await session.get(SalesforceOrg, orgs[key])
        assert org is not None, key
        await _backups(session, org, key, now, tally)
    for drill in DRILLS:
        await _drill(session, orgs[drill.org], drill, now, tally)
