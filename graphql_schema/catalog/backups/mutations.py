"""Mutations recording an org's backups and restore drills (ADMIN, or an owner team of a
service on the org)."""

from __future__ import annotations

import strawberry

from catalog.backups import actions
from graphql_schema.catalog.backups.inputs import RecordBackupInput, RecordRestoreDrillInput
from graphql_schema.catalog.backups.payloads import RecordBackupPayload, RecordRestoreDrillPayload
from graphql_schema.catalog.backups.types import Backup, RestoreDrill
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
from graphql_schema.node import decode_id
from identity.principal import Role

BACKUP = ObjectPayload(RecordBackupPayload, "backup", Backup)
RESTORE_DRILL = ObjectPayload(RecordRestoreDrillPayload, "restore_drill", RestoreDrill)


@strawberry.type
class BackupMutation:
    @mutation(
        "Record a backup of an org (ADMIN, or an owner team of a service on the org); a repeat"
        " of an externalId returns the first record.",
        permission=Role.TEAM_MEMBER,
        action=actions.record_backup,
        payload=BACKUP,
    )
    def record_backup(self, input: RecordBackupInput) -> Arguments:
        return {
            "salesforce_org_id": decode_id(
                input.salesforce_org_id, "SalesforceOrg", field="salesforceOrgId"
            ),
            "spec": actions.BackupSpec(
                scope=input.scope,
                started_at=input.started_at,
                finished_at=input.finished_at,
                outcome=input.outcome,
                records=input.records,
                location=input.location,
                source=input.source,
                external_id=input.external_id,
            ),
        }

    @mutation(
        "Record a restore drill of an org (ADMIN, or an owner team of a service on the org).",
        permission=Role.TEAM_MEMBER,
        action=actions.record_restore_drill,
        payload=RESTORE_DRILL,
    )
    def record_restore_drill(self, input: RecordRestoreDrillInput) -> Arguments:
        return {
            "salesforce_org_id": decode_id(
                input.salesforce_org_id, "SalesforceOrg", field="salesforceOrgId"
            ),
            "spec": actions.RestoreDrillSpec(
                performed_at=input.performed_at,
                outcome=input.outcome,
                records_restored=input.records_restored,
                duration_seconds=input.duration_seconds,
                notes=input.notes,
            ),
        }
