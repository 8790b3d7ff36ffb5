"""Payloads of the backup and restore-drill mutations: the record (null on failure) and
`userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.backups.types import Backup, RestoreDrill
from graphql_schema.errors import UserError


@strawberry.type
class RecordBackupPayload:
    backup: Backup | None
    user_errors: list[UserError]


@strawberry.type
class RecordRestoreDrillPayload:
    restore_drill: RestoreDrill | None
    user_errors: list[UserError]
