"""Turn catalog inputs into the plain field dicts the domain actions validate."""

from __future__ import annotations

from datetime import time
from typing import Any

from catalog.services.calendar import (
    BusinessCalendar,
    InvalidCalendar,
    WeeklyHours,
    parse_wall_time,
)
from core.errors import Invalid
from graphql_schema.catalog.inputs import (
    BackupPolicyInput,
    BusinessCalendarInput,
    OrgBackupPolicyInput,
    ServiceLinksInput,
)
from graphql_schema.node import decode_id


def _wall_time(value: str, index: int, end: str) -> time:
    try:
        return parse_wall_time(value)
    except InvalidCalendar as error:
        path = ["businessCalendar", "weeklyHours", str(index), end]
        raise Invalid(str(error), field=path) from None


def calendar_value(data: BusinessCalendarInput | None) -> BusinessCalendar | None:
    if data is None:
        return None
    return BusinessCalendar(
        time_zone=data.time_zone,
        weekly_hours=tuple(
            WeeklyHours(
                hours.day,
                _wall_time(hours.start, index, "start"),
                _wall_time(hours.end, index, "end"),
            )
            for index, hours in enumerate(data.weekly_hours)
        ),
        holidays=tuple(data.holidays),
    )


def service_fields(given: dict[str, Any]) -> dict[str, Any]:
    """Flatten links, backup policy and calendar; decode ids."""
    fields = dict(given)
    if "owner_team_id" in fields and fields["owner_team_id"] is not None:
        fields["owner_team_id"] = decode_id(fields["owner_team_id"], "Team", field="ownerTeamId")
    if "salesforce_org_ids" in fields:
        fields["salesforce_org_ids"] = [
            decode_id(value, "SalesforceOrg", field="salesforceOrgIds")
            for value in fields["salesforce_org_ids"] or []
        ]
    if "links" in fields:
        links: ServiceLinksInput = fields.pop("links") or ServiceLinksInput()
        fields.update(runbook_url=links.runbook, repo_url=links.repo, dashboard_url=links.dashboard)
    if "backup_policy" in fields:
        backup: BackupPolicyInput = fields.pop("backup_policy") or BackupPolicyInput()
        fields.update(
            backup_rpo_seconds=backup.rpo_seconds,
            backup_rto_seconds=backup.rto_seconds,
            backup_last_verified_restore_at=backup.last_verified_restore_at,
        )
    if "business_calendar" in fields:
        fields["business_calendar"] = calendar_value(fields["business_calendar"])
    return fields


def org_fields(given: dict[str, Any]) -> dict[str, Any]:
    fields = dict(given)
    if fields.get("parent_id") is not None:
        fields["parent_id"] = decode_id(fields["parent_id"], "SalesforceOrg", field="parentId")
    if "backup_policy" in fields:
        backup: OrgBackupPolicyInput = fields.pop("backup_policy") or OrgBackupPolicyInput()
        fields.update(
            backup_provider=backup.provider,
            backup_rpo_seconds=backup.rpo_seconds,
            backup_last_verified_restore_at=backup.last_verified_restore_at,
        )
    return fields
