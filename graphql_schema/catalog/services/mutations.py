"""Mutations of services and ownership roles, and how their inputs become the field dicts
the domain actions validate."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions, models
from catalog.services.calendar import (
    BusinessCalendar,
    InvalidCalendar,
    WeeklyHours,
    parse_wall_time,
)
from core.errors import Invalid
from graphql_schema.archive_delete import DELETED, by_id
from graphql_schema.catalog.reviews.mutations import register_reviewable
from graphql_schema.catalog.services.inputs import (
    BackupPolicyInput,
    BusinessCalendarInput,
    CreateOwnershipRoleInput,
    CreateServiceInput,
    ServiceLinksInput,
    UpdateOwnershipRoleInput,
    UpdateServiceInput,
)
from graphql_schema.catalog.services.payloads import OwnershipRolePayload, ServicePayload
from graphql_schema.catalog.services.types import OwnershipRole, Service
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.inputs import ArchiveInput, DeleteInput
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
from graphql_schema.node import decode_id
from identity.principal import Principal, Role

_REQUIRED_SERVICE_FIELDS = (
    "slug", "name", "owner_team_id", "tier", "lifecycle", "data_classification",
    "review_interval_days", "tags", "compliance_regimes", "salesforce_org_ids",
)  # fmt: skip


SERVICE = ObjectPayload(ServicePayload, "service", Service)
OWNERSHIP_ROLE = ObjectPayload(OwnershipRolePayload, "ownership_role", OwnershipRole)


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


@strawberry.type
class ServiceMutation:
    @mutation(
        "Create a service (its owner team, or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.create_service,
        payload=SERVICE,
    )
    def create_service(self, input: CreateServiceInput) -> Arguments:
        return {"fields": service_fields(provided(input, exclude=()))}

    @mutation(
        "Change a service (its owner team, or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.update_service,
        payload=SERVICE,
    )
    def update_service(self, input: UpdateServiceInput) -> Arguments:
        given = provided(input)
        refuse_nulls(given, *_REQUIRED_SERVICE_FIELDS)
        return {
            "service_id": decode_id(input.id, "Service", field="id"),
            "version": input.version,
            "changes": service_fields(given),
        }

    @mutation(
        "Give a person a typed role on a service.",
        permission=Role.TEAM_MEMBER,
        action=actions.create_ownership_role,
        payload=OWNERSHIP_ROLE,
    )
    def create_ownership_role(self, input: CreateOwnershipRoleInput) -> Arguments:
        return {
            "service_id": decode_id(input.service_id, "Service", field="serviceId"),
            "person_id": decode_id(input.person_id, "Person", field="personId"),
            "role": input.role,
            "effective_from": input.effective_from,
            "effective_to": input.effective_to,
        }

    @mutation(
        "Change a role's kind or dates; end it with effectiveTo.",
        permission=Role.TEAM_MEMBER,
        action=actions.update_ownership_role,
        payload=OWNERSHIP_ROLE,
    )
    def update_ownership_role(self, input: UpdateOwnershipRoleInput) -> Arguments:
        changes = provided(input)
        refuse_nulls(changes, "role", "effective_from")
        return {
            "ownership_role_id": decode_id(input.id, "OwnershipRole", field="id"),
            "version": input.version,
            "changes": changes,
        }


@strawberry.type
class ServiceLifecycleMutation:
    @mutation(
        "Archive a service (its owner team, or ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=actions.archive_service,
        payload=SERVICE,
    )
    def archive_service(self, input: ArchiveInput) -> Arguments:
        return by_id(input, "Service", "service_id")

    @mutation(
        "Delete a service nothing refers to (HAS_DEPENDENTS).",
        permission=Role.TEAM_MEMBER,
        action=actions.delete_service,
        payload=DELETED,
    )
    def delete_service(self, input: DeleteInput) -> Arguments:
        return by_id(input, "Service", "service_id")

    @mutation(
        "Delete an ownership role given by mistake.",
        permission=Role.TEAM_MEMBER,
        action=actions.delete_ownership_role,
        payload=DELETED,
    )
    def delete_ownership_role(self, input: DeleteInput) -> Arguments:
        return by_id(input, "OwnershipRole", "ownership_role_id")


async def _confirm_service_review(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID
) -> models.Service:
    return await actions.confirm_service_review(session, principal=principal, service_id=service_id)


register_reviewable("Service", confirm=_confirm_service_review, convert=Service.from_model)
