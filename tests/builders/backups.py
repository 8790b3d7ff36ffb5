"""Backups and restore drills of orgs, straight into the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.backups.models import (
    Backup,
    BackupOutcome,
    BackupScope,
    RestoreDrill,
    RestoreDrillOutcome,
)
from tests.builders.kit import add


async def create_backup(
    session: AsyncSession, *, finished_at: datetime, **overrides: Any
) -> Backup:
    values = {
        "scope": BackupScope.FULL,
        "started_at": finished_at - timedelta(minutes=30),
        "finished_at": finished_at,
        "outcome": BackupOutcome.SUCCEEDED,
        "recorded_by": "test",
        **overrides,
    }
    return await add(session, Backup(**values))


async def create_restore_drill(
    session: AsyncSession, *, performed_at: datetime, **overrides: Any
) -> RestoreDrill:
    values = {
        "performed_at": performed_at,
        "outcome": RestoreDrillOutcome.SUCCEEDED,
        "recorded_by": "test",
        **overrides,
    }
    return await add(session, RestoreDrill(**values))
