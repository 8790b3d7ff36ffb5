"""Enums of backups, restore drills and data-loss readiness, exposed to GraphQL once."""

import strawberry

from catalog.backups.models import BackupOutcome, BackupScope, RestoreDrillOutcome
from catalog.backups.readiness import DataLossGap

strawberry.enum(
    BackupScope,
    description="FULL: data and metadata; METADATA or DATA alone; INCREMENTAL: what changed"
    " since the previous backup.",
)
strawberry.enum(BackupOutcome, description="How a backup run ended.")
strawberry.enum(RestoreDrillOutcome, description="How a rehearsed restore ended.")
strawberry.enum(
    DataLossGap,
    description="Why data is not ready for a loss: no successful backup within the backup"
    " interval, or no successful restore drill within a quarter (92 days).",
)
