"""Every SQL statement about backups and restore drills, the readiness batches included."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ARRAY, ScalarSelect, Select, Uuid, and_, any_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.backups.models import Backup, BackupOutcome, RestoreDrill, RestoreDrillOutcome
from catalog.backups.readiness import OrgEvidence
from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.services.models import DataClassification, Service, service_salesforce_org


async def backup_by_external_id(
    session: AsyncSession, salesforce_org_id: uuid.UUID, external_id: str
) -> Backup | None:
    return await session.scalar(
        select(Backup).where(
            Backup.salesforce_org_id == salesforce_org_id, Backup.external_id == external_id
        )
    )


def backups_query(salesforce_org_id: uuid.UUID) -> Select[Backup]:
    return select(Backup).where(Backup.salesforce_org_id == salesforce_org_id)


def restore_drills_query(salesforce_org_id: uuid.UUID) -> Select[RestoreDrill]:
    return select(RestoreDrill).where(RestoreDrill.salesforce_org_id == salesforce_org_id)


def _last_backup_at() -> ScalarSelect[datetime]:
    """The finish of the latest successful backup of the org of the outer row."""
    return (
        select(func.max(Backup.finished_at))
        .where(
            Backup.salesforce_org_id == SalesforceOrg.id, Backup.outcome == BackupOutcome.SUCCEEDED
        )
        .scalar_subquery()
    )


def _last_drill_at() -> ScalarSelect[datetime]:
    return (
        select(func.max(RestoreDrill.performed_at))
        .where(
            RestoreDrill.salesforce_org_id == SalesforceOrg.id,
            RestoreDrill.outcome == RestoreDrillOutcome.SUCCEEDED,
        )
        .scalar_subquery()
    )


async def evidence_by_org_ids(
    session: AsyncSession, org_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OrgEvidence]:
    """Each org's latest successful backup and drill: one statement for the batch."""
    statement = select(
        SalesforceOrg.id,
        SalesforceOrg.backup_rpo_seconds,
        _last_backup_at(),
        _last_drill_at(),
    ).where(SalesforceOrg.id == any_(bindparam("org_ids", list(org_ids), type_=ARRAY(Uuid()))))
    rows = (await session.execute(statement)).all()
    return {
        org_id: OrgEvidence(org_id, rpo, last_backup, last_drill)
        for org_id, rpo, last_backup, last_drill in rows
    }


@dataclass
class ServiceEvidence:
    """What judging a service's readiness reads: its class, its RPO, its production orgs."""

    classification: DataClassification
    rpo_seconds: int | None
    orgs: list[tuple[SalesforceOrg, OrgEvidence]] = field(default_factory=list)


async def evidence_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ServiceEvidence]:
    """Each service's evidence, its live production orgs in their order: one statement."""
    production = and_(
        SalesforceOrg.id == service_salesforce_org.c.salesforce_org_id,
        SalesforceOrg.kind == OrgKind.PRODUCTION,
        SalesforceOrg.archived_at.is_(None),
    )
    statement = (
        select(
            Service.id,
            Service.data_classification,
            Service.backup_rpo_seconds,
            SalesforceOrg,
            _last_backup_at(),
            _last_drill_at(),
        )
        .select_from(Service)
        .outerjoin(service_salesforce_org, service_salesforce_org.c.service_id == Service.id)
        .outerjoin(SalesforceOrg, production)
        .where(Service.id == any_(bindparam("service_ids", list(service_ids), type_=ARRAY(Uuid()))))
        .order_by(Service.id, service_salesforce_org.c.position, SalesforceOrg.id)
    )
    found: dict[uuid.UUID, ServiceEvidence] = {}
    for service_id, classification, rpo, org, last_backup, last_drill in await session.execute(
        statement
    ):
        evidence = found.setdefault(service_id, ServiceEvidence(classification, rpo))
        if org is not None:
            evidence.orgs.append(
                (org, OrgEvidence(org.id, org.backup_rpo_seconds, last_backup, last_drill))
            )
    return found


async def owner_team_ids_of_org(
    session: AsyncSession, salesforce_org_id: uuid.UUID
) -> set[uuid.UUID]:
    """The owner teams of the live services running on the org."""
    statement = (
        select(Service.owner_team_id)
        .join(service_salesforce_org, service_salesforce_org.c.service_id == Service.id)
        .where(
            service_salesforce_org.c.salesforce_org_id == salesforce_org_id,
            Service.archived_at.is_(None),
        )
        .distinct()
    )
    return set((await session.scalars(statement)).all())
