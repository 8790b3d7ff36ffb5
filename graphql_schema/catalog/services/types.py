"""GraphQL types of services and their ownership roles."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy import ColumnElement, FromClause, and_, column, func, or_, true
from sqlalchemy.dialects.postgresql import JSONB

import graphql_schema.catalog.services.enums  # noqa: F401  (registers the enums first)
from catalog.orgs import models as org_models
from catalog.services import models
from catalog.services.calendar import BusinessCalendar as CalendarValue
from catalog.services.calendar import Weekday
from core.clock import utcnow
from graphql_schema.catalog.ai_models.fields import ServiceAIModelFields
from graphql_schema.catalog.backups.fields import ServiceDataLossFields
from graphql_schema.catalog.event_monitoring.fields import ServiceEventMonitoringFields
from graphql_schema.catalog.graph.fields import ServiceDependencies
from graphql_schema.catalog.orgs.fields import ServiceSalesforceFields
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.catalog.reviews.types import REVIEW_SQL, Reviewable, review_fields
from graphql_schema.compiled.declarations import (
    Column,
    Computed,
    Embedded,
    GlobalId,
    Parameters,
    RawJson,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.context import Info
from graphql_schema.feedback.satisfaction.loaders import satisfaction_of
from graphql_schema.feedback.satisfaction.types import Satisfaction
from graphql_schema.history import Versioned
from graphql_schema.identity.types import Person, Team
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from graphql_schema.service_levels.fields import ServiceLevelFields
from graphql_schema.work.incidents.fields import ServiceIncidentFields
from graphql_schema.work.releases.fields import ServiceReleaseFields
from identity import models as identity_models


@strawberry.type(description="Where to find a service's runbook, repository and dashboard.")
class ServiceLinks:
    runbook: str | None
    repo: str | None
    dashboard: str | None


@strawberry.type(description="Opening hours in the service's local wall time.")
class WeeklyHours:
    day: Weekday
    start: str = strawberry.field(description="Local time, HH:MM.")
    end: str = strawberry.field(description="Local time, HH:MM.")


@strawberry.type(description="The hours SLA clocks count; a service without one runs 24x7.")
class BusinessCalendar:
    time_zone: str
    weekly_hours: list[WeeklyHours]
    holidays: list[date]

    @classmethod
    def from_value(cls, calendar: CalendarValue) -> BusinessCalendar:
        return cls(
            time_zone=calendar.time_zone,
            weekly_hours=[
                WeeklyHours(
                    day=hours.day,
                    start=hours.start.isoformat("minutes"),
                    end=hours.end.isoformat("minutes"),
                )
                for hours in calendar.weekly_hours
            ],
            holidays=list(calendar.holidays),
        )


@strawberry.type(description="Recovery objectives, durations in seconds.")
class BackupPolicy:
    rpo_seconds: int | None
    rto_seconds: int | None
    last_verified_restore_at: datetime | None


@strawberry.type(description="A person in a typed role on a service, with effective dates.")
class OwnershipRole(Node, Versioned):
    id: strawberry.ID
    role: models.OwnershipRoleKind
    effective_from: date
    effective_to: date | None
    version: int
    model: strawberry.Private[models.OwnershipRole]

    @classmethod
    def from_model(cls, ownership: models.OwnershipRole) -> OwnershipRole:
        return cls(
            id=global_id("OwnershipRole", ownership.id),
            role=ownership.role,
            effective_from=ownership.effective_from,
            effective_to=ownership.effective_to,
            version=ownership.version,
            model=ownership,
        )

    @strawberry.field(description="Whether the role holds today.")
    def current(self) -> bool:
        return _is_current(self.model, utcnow().date())

    @strawberry.field
    def person(self) -> Person:
        return Person.from_model(self.model.person)

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)


def _is_current(ownership: models.OwnershipRole, today: date) -> bool:
    return ownership.effective_from <= today and (
        ownership.effective_to is None or ownership.effective_to >= today
    )


@strawberry.type(description="A service the organisation runs, and everything it is held to.")
class Service(
    Node,
    Versioned,
    Reviewable,
    ServiceDependencies,
    ServiceSalesforceFields,
    ServiceLevelFields,
    ServiceIncidentFields,
    ServiceAIModelFields,
    ServiceDataLossFields,
    ServiceReleaseFields,
    ServiceEventMonitoringFields,
):
    id: strawberry.ID
    slug: str
    name: str
    description: str
    tier: models.Tier
    lifecycle: models.Lifecycle
    tags: list[str]
    links: ServiceLinks
    salesforce_key: str = strawberry.field(
        description="The value Salesforce records use to name this service."
    )
    data_classification: models.DataClassification
    compliance_regimes: list[str]
    business_calendar: BusinessCalendar | None
    backup_policy: BackupPolicy
    archived_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Service]

    @classmethod
    def from_model(cls, service: models.Service) -> Service:
        calendar = service.business_calendar
        return cls(
            id=global_id("Service", service.id),
            slug=service.slug,
            name=service.name,
            description=service.description,
            tier=service.tier,
            lifecycle=service.lifecycle,
            tags=list(service.tags),
            links=ServiceLinks(
                runbook=service.runbook_url,
                repo=service.repo_url,
                dashboard=service.dashboard_url,
            ),
            salesforce_key=service.salesforce_key,
            data_classification=service.data_classification,
            compliance_regimes=list(service.compliance_regimes),
            business_calendar=(
                BusinessCalendar.from_value(CalendarValue.from_json(calendar))
                if calendar is not None
                else None
            ),
            backup_policy=BackupPolicy(
                rpo_seconds=service.backup_rpo_seconds,
                rto_seconds=service.backup_rto_seconds,
                last_verified_restore_at=service.backup_last_verified_restore_at,
            ),
            **review_fields(
                last_reviewed_at=service.last_reviewed_at,
                created_at=service.created_at,
                interval_days=service.review_interval_days,
            ),
            archived_at=service.archived_at,
            version=service.version,
            created_at=service.created_at,
            updated_at=service.updated_at,
            model=service,
        )

    @strawberry.field(description="Ratings of feedback created in the last `days` days.")
    async def satisfaction(self, info: Info, days: int = 90) -> Satisfaction:
        return await satisfaction_of(info, "service", self.model.id, days)

    @strawberry.field
    def owner_team(self) -> Team:
        return Team.from_model(self.model.owner_team)

    @strawberry.field(description="Every role on the service, past and future included.")
    def ownership_roles(self) -> list[OwnershipRole]:
        return [OwnershipRole.from_model(item) for item in self.model.ownership_roles]

    @strawberry.field(description="The current PRODUCT_OWNER role holders.")
    def product_owners(self) -> list[Person]:
        today = utcnow().date()
        return [
            Person.from_model(item.person)
            for item in self.model.ownership_roles
            if item.role is models.OwnershipRoleKind.PRODUCT_OWNER and _is_current(item, today)
        ]

    @strawberry.field(description="The orgs the service runs on, in the order given.")
    def salesforce_orgs(self) -> list[SalesforceOrg]:
        return [SalesforceOrg.from_model(org) for org in self.model.salesforce_orgs]


register_relations(
    "OwnershipRole",
    {
        "person": ([models.OwnershipRole.person], "Person"),
        "service": ([models.OwnershipRole.service], "Service"),
    },
)
register_relations(
    "Service",
    {
        "ownerTeam": ([models.Service.owner_team], "Team"),
        "ownershipRoles": ([models.Service.ownership_roles], "OwnershipRole"),
        "productOwners": (
            [models.Service.ownership_roles, models.OwnershipRole.person],
            "Person",
        ),
        "salesforceOrgs": ([models.Service.salesforce_orgs], "SalesforceOrg"),
    },
)


def _is_current_sql(row: FromClause, parameters: Parameters) -> ColumnElement[bool]:
    return and_(
        row.c.effective_from <= parameters.today,
        or_(row.c.effective_to.is_(None), row.c.effective_to >= parameters.today),
    )


def _ownership_roles(service: FromClause, _: Parameters) -> Rows:
    role = models.OwnershipRole.__table__.alias()
    return Rows(role, role.c.service_id == service.c.id, order_by=(role.c.created_at, role.c.id))


def _product_owners(service: FromClause, parameters: Parameters) -> Rows:
    role = models.OwnershipRole.__table__.alias()
    person = identity_models.Person.__table__.alias()
    return Rows(
        person,
        and_(
            role.c.service_id == service.c.id,
            role.c.role == models.OwnershipRoleKind.PRODUCT_OWNER.value,
            _is_current_sql(role, parameters),
        ),
        from_=role.join(person, person.c.id == role.c.person_id),
        order_by=(role.c.created_at, role.c.id),
    )


def _salesforce_orgs(service: FromClause, _: Parameters) -> Rows:
    link = models.service_salesforce_org.alias()
    org = org_models.SalesforceOrg.__table__.alias()
    return Rows(
        org,
        link.c.service_id == service.c.id,
        from_=link.join(org, org.c.id == link.c.salesforce_org_id),
        order_by=(link.c.position, org.c.id),
    )


def _weekly_hours(service: FromClause, _: Parameters) -> Rows:
    hours = (
        func.jsonb_array_elements(service.c.business_calendar["weekly_hours"])
        .table_valued(column("value", JSONB), with_ordinality="ordinality")
        .alias()
    )
    return Rows(hours, true(), order_by=(hours.c.ordinality,))


def _json_text(name: str) -> Computed:
    return Computed(lambda row, _: row.c.value[name].astext)


declare_sql(
    "Service",
    {
        "id": GlobalId("Service"),
        "slug": Column("slug"),
        "name": Column("name"),
        "description": Column("description"),
        "tier": Column("tier"),
        "lifecycle": Column("lifecycle"),
        "tags": Column("tags"),
        "links": Embedded(),
        "salesforceKey": Column("salesforce_key"),
        "dataClassification": Column("data_classification"),
        "complianceRegimes": Column("compliance_regimes"),
        "businessCalendar": Embedded(present=lambda row, _: row.c.business_calendar.is_not(None)),
        "backupPolicy": Embedded(),
        "salesforceFootprint": Embedded(),
        **REVIEW_SQL,
        "archivedAt": Column("archived_at"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "ownerTeam": Relation(
            "Team",
            lambda service, _: _team_of(service),
        ),
        "ownershipRoles": Relation("OwnershipRole", _ownership_roles, many=True),
        "productOwners": Relation("Person", _product_owners, many=True),
        "salesforceOrgs": Relation("SalesforceOrg", _salesforce_orgs, many=True),
    },
)
declare_sql(
    "ServiceLinks",
    {
        "runbook": Column("runbook_url"),
        "repo": Column("repo_url"),
        "dashboard": Column("dashboard_url"),
    },
)
declare_sql(
    "BackupPolicy",
    {
        "rpoSeconds": Column("backup_rpo_seconds"),
        "rtoSeconds": Column("backup_rto_seconds"),
        "lastVerifiedRestoreAt": Column("backup_last_verified_restore_at"),
    },
)
declare_sql(
    "BusinessCalendar",
    {
        "timeZone": Computed(lambda row, _: row.c.business_calendar["time_zone"].astext),
        "weeklyHours": Relation("WeeklyHours", _weekly_hours, many=True),
        "holidays": RawJson(lambda row, _: row.c.business_calendar["holidays"]),
    },
)
declare_sql(
    "WeeklyHours",
    {"day": _json_text("day"), "start": _json_text("start"), "end": _json_text("end")},
)
declare_sql(
    "OwnershipRole",
    {
        "id": GlobalId("OwnershipRole"),
        "role": Column("role"),
        "effectiveFrom": Column("effective_from"),
        "effectiveTo": Column("effective_to"),
        "version": Column("version"),
        "current": Computed(_is_current_sql),
        "person": Relation("Person", lambda role, _: _person_of(role)),
        "service": Relation("Service", lambda role, _: _service_of(role)),
    },
)


def _team_of(service: FromClause) -> Rows:
    team = identity_models.Team.__table__.alias()
    return Rows(team, team.c.id == service.c.owner_team_id)


def _person_of(role: FromClause) -> Rows:
    person = identity_models.Person.__table__.alias()
    return Rows(person, person.c.id == role.c.person_id)


def _service_of(role: FromClause) -> Rows:
    service = models.Service.__table__.alias()
    return Rows(service, service.c.id == role.c.service_id)


register_node("Service", models.Service, Service.from_model)
register_node("OwnershipRole", models.OwnershipRole, OwnershipRole.from_model)
