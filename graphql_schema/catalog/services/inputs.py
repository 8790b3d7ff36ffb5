"""Inputs of service and ownership role queries and mutations."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

import graphql_schema.catalog.services.enums  # noqa: F401  (registers the enums first)
from catalog.services import models
from catalog.services.calendar import Weekday
from graphql_schema.inputs import OrderDirection


@strawberry.enum
class ServiceOrderField(Enum):
    NAME = "NAME"
    SLUG = "SLUG"
    TIER = "TIER"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input
class ServiceOrder:
    field: ServiceOrderField = ServiceOrderField.NAME
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class ServiceFilter:
    owner_team_id: strawberry.ID | None = None
    business_unit_id: strawberry.ID | None = None
    tiers: list[models.Tier] | None = None
    lifecycles: list[models.Lifecycle] | None = None
    tag: str | None = None
    data_classifications: list[models.DataClassification] | None = None
    compliance_regime: str | None = strawberry.field(
        default=None, description="Services held to this regime, e.g. GDPR."
    )
    search: str | None = strawberry.field(
        default=None, description="Words found in the name or description (trigram index)."
    )
    include_archived: bool = False


@strawberry.input
class ServiceLinksInput:
    runbook: str | None = None
    repo: str | None = None
    dashboard: str | None = None


@strawberry.input
class WeeklyHoursInput:
    day: Weekday
    start: str = strawberry.field(description="Local time, HH:MM.")
    end: str = strawberry.field(description="Local time, HH:MM.")


@strawberry.input
class BusinessCalendarInput:
    time_zone: str
    weekly_hours: list[WeeklyHoursInput]
    holidays: list[date] = strawberry.field(default_factory=list)


@strawberry.input
class BackupPolicyInput:
    rpo_seconds: int | None = None
    rto_seconds: int | None = None
    last_verified_restore_at: datetime | None = None


@strawberry.input
class CreateServiceInput:
    slug: str
    name: str
    owner_team_id: strawberry.ID
    tier: models.Tier
    description: str = ""
    lifecycle: models.Lifecycle = models.Lifecycle.PLANNED
    tags: list[str] = strawberry.field(default_factory=list)
    links: ServiceLinksInput | None = None
    salesforce_org_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    salesforce_key: str | None = strawberry.field(default=None, description="Defaults to the slug.")
    data_classification: models.DataClassification = models.DataClassification.INTERNAL
    compliance_regimes: list[str] = strawberry.field(default_factory=list)
    business_calendar: BusinessCalendarInput | None = None
    backup_policy: BackupPolicyInput | None = None
    review_interval_days: int = 90


@strawberry.input
class UpdateServiceInput:
    id: strawberry.ID
    version: int
    slug: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    owner_team_id: strawberry.ID | None = strawberry.UNSET
    tier: models.Tier | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    lifecycle: models.Lifecycle | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    links: ServiceLinksInput | None = strawberry.UNSET
    salesforce_org_ids: list[strawberry.ID] | None = strawberry.UNSET
    salesforce_key: str | None = strawberry.field(
        default=strawberry.UNSET, description="Null resets it to the slug."
    )
    data_classification: models.DataClassification | None = strawberry.UNSET
    compliance_regimes: list[str] | None = strawberry.UNSET
    business_calendar: BusinessCalendarInput | None = strawberry.field(
        default=strawberry.UNSET, description="Null means 24x7."
    )
    backup_policy: BackupPolicyInput | None = strawberry.UNSET
    review_interval_days: int | None = strawberry.UNSET


@strawberry.input
class CreateOwnershipRoleInput:
    service_id: strawberry.ID
    person_id: strawberry.ID
    role: models.OwnershipRoleKind
    effective_from: date | None = strawberry.field(default=None, description="Default today.")
    effective_to: date | None = None


@strawberry.input
class UpdateOwnershipRoleInput:
    id: strawberry.ID
    version: int
    role: models.OwnershipRoleKind | None = strawberry.UNSET
    effective_from: date | None = strawberry.UNSET
    effective_to: date | None = strawberry.UNSET
