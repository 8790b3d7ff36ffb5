"""Inputs of the backup and restore-drill mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.catalog.backups.enums  # noqa: F401  (registers the enums first)
from catalog.backups.models import BackupOutcome, BackupScope, RestoreDrillOutcome


@strawberry.input(description="A backup run of an org, as its tool reports it.")
class RecordBackupInput:
    salesforce_org_id: strawberry.ID
    scope: BackupScope
    started_at: datetime
    finished_at: datetime = strawberry.field(description="Not before startedAt.")
    outcome: BackupOutcome
    records: int | None = strawberry.field(default=None, description="Not negative.")
    location: str | None = None
    source: str | None = strawberry.field(default=None, description="The backup tool.")
    external_id: str | None = strawberry.field(
        default=None,
        description="The tool's id of the run: a repeat for the same org returns the first"
        " record and stores nothing.",
    )


@strawberry.input(description="A rehearsed restore of an org's data.")
class RecordRestoreDrillInput:
    salesforce_org_id: strawberry.ID
    performed_at: datetime
    outcome: RestoreDrillOutcome
    records_restored: int | None = strawberry.field(default=None, description="Not negative.")
    duration_seconds: int | None = strawberry.field(default=None, description="Not negative.")
    notes: str | None = None
