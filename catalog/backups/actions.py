"""Recording backups and restore drills (ADMIN, or an owner team of a service on the org;
backup tools through POST /api/backups), and judging data-loss readiness."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.backups import repository
from catalog.backups.models import (
    Backup,
    BackupOutcome,
    BackupScope,
    RestoreDrill,
    RestoreDrillOutcome,
)
from catalog.backups.readiness import OrgEvidence, ServiceReadiness, judge_service
from catalog.orgs import repository as org_repository
from catalog.orgs.models import SalesforceOrg
from catalog.orgs.org_id import InvalidOrgId, normalise_org_id
from catalog.permissions import require_backup_recorder
from core.clock import utcnow
from core.errors import DomainError, DomainErrors, Invalid, NotFound, TooLong
from core.repository import get_by_id
from identity.principal import Principal

# A tool's clock a little ahead of ours is not the future.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class BackupSpec:
    scope: BackupScope
    started_at: datetime
    finished_at: datetime
    outcome: BackupOutcome
    records: int | None = None
    location: str | None = None
    source: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class RestoreDrillSpec:
    performed_at: datetime
    outcome: RestoreDrillOutcome
    records_restored: int | None = None
    duration_seconds: int | None = None
    notes: str | None = None


def _past(moment: datetime, field: str, now: datetime) -> list[DomainError]:
    if moment.tzinfo is None or moment > now + CLOCK_SKEW:
        return [Invalid(f"{field} is a past time with an offset", field=[field])]
    return []


def _not_negative(value: int | None, field: str) -> list[DomainError]:
    if value is not None and value < 0:
        return [Invalid(f"{field} must not be negative", field=[field])]
    return []


def _bounded(value: str | None, field: str, max_length: int) -> list[DomainError]:
    if value is not None and len(value.strip()) > max_length:
        return [TooLong(f"{field} is at most {max_length} characters", field=[field])]
    return []


def backup_errors(spec: BackupSpec, *, now: datetime) -> list[DomainError]:
    """Everything wrong with a backup as given, each on its field."""
    errors = _past(spec.started_at, "startedAt", now) + _past(spec.finished_at, "finishedAt", now)
    if not errors and spec.finished_at < spec.started_at:
        errors.append(Invalid("finishedAt is before startedAt", field=["finishedAt"]))
    return [
        *errors,
        *_not_negative(spec.records, "records"),
        *_bounded(spec.location, "location", 2000),
        *_bounded(spec.source, "source", 200),
        *_bounded(spec.external_id, "externalId", 200),
    ]


def restore_drill_errors(spec: RestoreDrillSpec, *, now: datetime) -> list[DomainError]:
    return [
        *_past(spec.performed_at, "performedAt", now),
        *_not_negative(spec.records_restored, "recordsRestored"),
        *_not_negative(spec.duration_seconds, "durationSeconds"),
        *_bounded(spec.notes, "notes", 4000),
    ]


def _cleaned(value: str | None) -> str | None:
    return (value or "").strip() or None


async def _live_org(
    session: AsyncSession, salesforce_org_id: uuid.UUID, field: str
) -> SalesforceOrg:
    org = await get_by_id(session, SalesforceOrg, salesforce_org_id)
    if org is None or org.archived_at is not None:
        raise NotFound("no such Salesforce org", field=[field])
    return org


async def find_org(session: AsyncSession, reference: str) -> SalesforceOrg | None:
    """A live org by its Salesforce org id (15 or 18 characters) or credentials reference."""
    try:
        org = await org_repository.get_by_org_id(session, normalise_org_id(reference))
    except InvalidOrgId:
        org = await org_repository.get_by_credentials_ref(session, reference.strip())
    return org if org is not None and org.archived_at is None else None


async def store_backup(
    session: AsyncSession, *, org: SalesforceOrg, spec: BackupSpec, recorded_by: str
) -> tuple[Backup, bool]:
    """Store a checked backup, or find the one with the same external id: (backup, created)."""
    errors = backup_errors(spec, now=utcnow())
    if errors:
        raise DomainErrors(errors)
    external_id = _cleaned(spec.external_id)
    if external_id is not None:
        found = await repository.backup_by_external_id(session, org.id, external_id)
        if found is not None:
            return found, False
    backup = Backup(
        id=uuid.uuid4(),
        salesforce_org_id=org.id,
        scope=spec.scope,
        started_at=spec.started_at,
        finished_at=spec.finished_at,
        outcome=spec.outcome,
        records=spec.records,
        location=_cleaned(spec.location),
        source=_cleaned(spec.source),
        external_id=external_id,
        recorded_by=recorded_by,
    )
    session.add(backup)
    await session.flush()
    return backup, True


async def record_backup(
    session: AsyncSession,
    *,
    principal: Principal,
    salesforce_org_id: uuid.UUID,
    spec: BackupSpec,
) -> Backup:
    """Record a backup of an org; a repeat of an external id returns the first record."""
    org = await _live_org(session, salesforce_org_id, "salesforceOrgId")
    require_backup_recorder(principal, await repository.owner_team_ids_of_org(session, org.id))
    backup, _ = await store_backup(session, org=org, spec=spec, recorded_by=principal.actor)
    return backup


async def record_restore_drill(
    session: AsyncSession,
    *,
    principal: Principal,
    salesforce_org_id: uuid.UUID,
    spec: RestoreDrillSpec,
) -> RestoreDrill:
    """Record a rehearsed restore of an org's data."""
    org = await _live_org(session, salesforce_org_id, "salesforceOrgId")
    require_backup_recorder(principal, await repository.owner_team_ids_of_org(session, org.id))
    errors = restore_drill_errors(spec, now=utcnow())
    if errors:
        raise DomainErrors(errors)
    drill = RestoreDrill(
        id=uuid.uuid4(),
        salesforce_org_id=org.id,
        performed_at=spec.performed_at,
        outcome=spec.outcome,
        records_restored=spec.records_restored,
        duration_seconds=spec.duration_seconds,
        notes=(spec.notes or "").strip(),
        recorded_by=principal.actor,
    )
    session.add(drill)
    await session.flush()
    return drill


async def evidence_by_org_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OrgEvidence]:
    return await repository.evidence_by_org_ids(session, org_ids)


async def readiness_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, tuple[ServiceReadiness, list[SalesforceOrg]]]:
    """Each service's verdict and the production orgs it judged, in one statement."""
    found = await repository.evidence_by_service_ids(session, service_ids)
    return {
        service_id: (
            judge_service(
                classification=evidence.classification,
                service_rpo_seconds=evidence.rpo_seconds,
                orgs=[item for _, item in evidence.orgs],
                now=now,
            ),
            [org for org, _ in evidence.orgs],
        )
        for service_id, evidence in found.items()
    }


async def services_at_data_loss_risk(
    session: AsyncSession, *, service_ids: Sequence[uuid.UUID]
) -> int:
    """How many of these services are not ready for data loss (one statement)."""
    if not service_ids:
        return 0
    verdicts = await readiness_by_service_ids(session, service_ids, now=utcnow())
    return sum(1 for verdict, _ in verdicts.values() if not verdict.ready)
