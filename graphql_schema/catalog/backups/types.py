"""Backups, restore drills and data-loss readiness as GraphQL sees them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import graphql_schema.catalog.backups.enums  # noqa: F401  (registers the enums first)
from catalog.backups import models, repository
from catalog.backups.readiness import (
    DEFAULT_BACKUP_INTERVAL,
    DataLossGap,
    OrgReadiness,
    ServiceReadiness,
)
from catalog.orgs.models import SalesforceOrg as SalesforceOrgModel
from core.pagination import KeysetOrder
from graphql_schema.compiled.declarations import Column, GlobalId, PageSource, declare_sql
from graphql_schema.node import Node, global_id, register_node

if TYPE_CHECKING:
    from graphql_schema.catalog.orgs.types import SalesforceOrg

_ORGS = "graphql_schema.catalog.orgs.types"
_DEFAULT_HOURS = int(DEFAULT_BACKUP_INTERVAL.total_seconds() // 3600)

BACKUP_ORDER = KeysetOrder(
    models.Backup.finished_at, models.Backup.id, descending=True, name="FINISHED_AT"
)
RESTORE_DRILL_ORDER = KeysetOrder(
    models.RestoreDrill.performed_at, models.RestoreDrill.id, descending=True, name="PERFORMED_AT"
)


@strawberry.type(description="One run of a backup tool over an org's data; never changed.")
class Backup(Node):
    id: strawberry.ID
    scope: models.BackupScope
    started_at: datetime
    finished_at: datetime
    outcome: models.BackupOutcome
    records: int | None = strawberry.field(description="Records backed up, as the tool counts.")
    location: str | None = strawberry.field(description="Where the backup is kept.")
    source: str | None = strawberry.field(description="The backup tool.")
    external_id: str | None = strawberry.field(
        description="The tool's id of the run: a repeat with it records nothing new."
    )
    recorded_by: str = strawberry.field(description="Who recorded it (`person:<id>`...).")
    created_at: datetime

    @classmethod
    def from_model(cls, backup: models.Backup) -> Backup:
        return cls(
            id=global_id("Backup", backup.id),
            scope=backup.scope,
            started_at=backup.started_at,
            finished_at=backup.finished_at,
            outcome=backup.outcome,
            records=backup.records,
            location=backup.location,
            source=backup.source,
            external_id=backup.external_id,
            recorded_by=backup.recorded_by,
            created_at=backup.created_at,
        )


@strawberry.type(description="A rehearsed restore of an org's backed-up data; never changed.")
class RestoreDrill(Node):
    id: strawberry.ID
    performed_at: datetime
    outcome: models.RestoreDrillOutcome
    records_restored: int | None
    duration_seconds: int | None
    notes: str
    recorded_by: str = strawberry.field(description="Who recorded it (`person:<id>`...).")
    created_at: datetime

    @classmethod
    def from_model(cls, drill: models.RestoreDrill) -> RestoreDrill:
        return cls(
            id=global_id("RestoreDrill", drill.id),
            performed_at=drill.performed_at,
            outcome=drill.outcome,
            records_restored=drill.records_restored,
            duration_seconds=drill.duration_seconds,
            notes=drill.notes,
            recorded_by=drill.recorded_by,
            created_at=drill.created_at,
        )


def backups_page(salesforce_org_id: uuid.UUID) -> PageSource:
    """What `SalesforceOrg.backups` pages over: the org's, newest first."""
    return PageSource(
        repository.backups_query(salesforce_org_id),
        BACKUP_ORDER,
        "Backup",
        Backup.from_model,
        [str(salesforce_org_id)],
    )


def restore_drills_page(salesforce_org_id: uuid.UUID) -> PageSource:
    return PageSource(
        repository.restore_drills_query(salesforce_org_id),
        RESTORE_DRILL_ORDER,
        "RestoreDrill",
        RestoreDrill.from_model,
        [str(salesforce_org_id)],
    )


@strawberry.type(
    description="A production org's evidence against data loss: its latest successful backup"
    " and restore drill, held to the backup interval and a quarter (92 days)."
)
class OrgDataLossReadiness:
    backup_interval_seconds: int = strawberry.field(
        description="The service's RPO, else the org's, else"
        f" {_DEFAULT_HOURS} hours (on the org itself: the org's RPO, else {_DEFAULT_HOURS} hours)."
    )
    last_successful_backup_at: datetime | None = strawberry.field(
        description="When its latest successful backup finished."
    )
    last_successful_restore_drill_at: datetime | None
    gaps: list[DataLossGap]
    org_model: strawberry.Private[Any]

    @classmethod
    def of(cls, judged: OrgReadiness, org: SalesforceOrgModel) -> OrgDataLossReadiness:
        return cls(
            backup_interval_seconds=int(judged.backup_interval.total_seconds()),
            last_successful_backup_at=judged.last_backup_at,
            last_successful_restore_drill_at=judged.last_drill_at,
            gaps=list(judged.gaps),
            org_model=org,
        )

    @strawberry.field(description="No gap.")
    def ready(self) -> bool:
        return not self.gaps

    @strawberry.field
    def org(self) -> Annotated[SalesforceOrg, strawberry.lazy(_ORGS)]:
        from graphql_schema.catalog.orgs.types import SalesforceOrg

        return SalesforceOrg.from_model(self.org_model)


@strawberry.type(
    description="Whether a service's business data could survive a loss. Required of"
    " CONFIDENTIAL and RESTRICTED services only: each production org they run on needs a"
    " successful backup within the backup interval (the service's RPO, else the org's, else"
    f" {_DEFAULT_HOURS} hours) and a successful restore drill within a quarter (92 days)."
    " PUBLIC and INTERNAL services are ready with no requirement; a service on no production"
    " org has nothing to judge and is ready."
)
class DataLossReadiness:
    required: bool = strawberry.field(description="CONFIDENTIAL or RESTRICTED data.")
    ready: bool
    gaps: list[DataLossGap] = strawberry.field(description="Empty when ready.")
    last_successful_backup_at: datetime | None = strawberry.field(
        description="The stalest of its orgs' latest successful backups; null when one has none."
    )
    last_successful_restore_drill_at: datetime | None = strawberry.field(
        description="The stalest of its orgs' latest successful drills; null when one has none."
    )
    orgs: list[OrgDataLossReadiness] = strawberry.field(
        description="Its production orgs, each judged."
    )

    @classmethod
    def of(cls, judged: ServiceReadiness, orgs: list[SalesforceOrgModel]) -> DataLossReadiness:
        return cls(
            required=judged.required,
            ready=judged.ready,
            gaps=list(judged.gaps),
            last_successful_backup_at=judged.last_backup_at,
            last_successful_restore_drill_at=judged.last_drill_at,
            orgs=[
                OrgDataLossReadiness.of(item, org)
                for item, org in zip(judged.orgs, orgs, strict=True)
            ],
        )


declare_sql(
    "Backup",
    {
        "id": GlobalId("Backup"),
        "scope": Column("scope"),
        "startedAt": Column("started_at"),
        "finishedAt": Column("finished_at"),
        "outcome": Column("outcome"),
        "records": Column("records"),
        "location": Column("location"),
        "source": Column("source"),
        "externalId": Column("external_id"),
        "recordedBy": Column("recorded_by"),
        "createdAt": Column("created_at"),
    },
)
declare_sql(
    "RestoreDrill",
    {
        "id": GlobalId("RestoreDrill"),
        "performedAt": Column("performed_at"),
        "outcome": Column("outcome"),
        "recordsRestored": Column("records_restored"),
        "durationSeconds": Column("duration_seconds"),
        "notes": Column("notes"),
        "recordedBy": Column("recorded_by"),
        "createdAt": Column("created_at"),
    },
)
register_node("Backup", models.Backup, Backup.from_model)
register_node("RestoreDrill", models.RestoreDrill, RestoreDrill.from_model)
