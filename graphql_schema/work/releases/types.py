"""Releases, seasonal readiness and hot-fix deployments as GraphQL sees them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import FromClause, or_, select

import graphql_schema.work.releases.enums  # noqa: F401  (registers the enums first)
from catalog.orgs.models import SalesforceOrg as SalesforceOrgModel
from catalog.services.models import Service as ServiceModel
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import (
    Column,
    Computed,
    GlobalId,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.history import Versioned
from graphql_schema.identity.types import Team
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from graphql_schema.work.backlog.types import BacklogItem
from graphql_schema.work.releases.fields import ReleaseScheduleFields
from identity import models as identity_models
from work.backlog import models as backlog_models
from work.releases import models
from work.releases.calendar import calendar_day, calendar_day_sql
from work.releases.transitions import allowed_next


@strawberry.type(description="Backlog items shipped together to the services they change.")
class Release(Node, Versioned, ReleaseScheduleFields):
    id: strawberry.ID
    name: str
    version_label: str | None = strawberry.field(description="The release's own version, if any.")
    kind: models.ReleaseKind
    status: models.ReleaseStatus
    planned_on: date | None
    season: models.Season | None = strawberry.field(description="Seasonal releases only.")
    season_year: int | None
    sandbox_preview_on: date | None
    production_on: date | None
    started_at: datetime | None
    released_at: datetime | None
    rolled_back_at: datetime | None
    calendar_on: date | None = strawberry.field(
        description="The day it stands on in the calendar: the UTC day it was released, else"
        " its planned day (a seasonal release: its production day)."
    )
    freeze_override_reason: str | None = strawberry.field(
        description="Why an ADMIN shipped it inside a freeze window, if one did."
    )
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Release]

    @classmethod
    def from_model(cls, release: models.Release) -> Release:
        return cls(
            id=global_id("Release", release.id),
            name=release.name,
            version_label=release.version_label,
            kind=release.kind,
            status=release.status,
            planned_on=release.planned_on,
            season=release.season,
            season_year=release.season_year,
            sandbox_preview_on=release.sandbox_preview_on,
            production_on=release.production_on,
            started_at=release.started_at,
            released_at=release.released_at,
            rolled_back_at=release.rolled_back_at,
            calendar_on=calendar_day(release),
            freeze_override_reason=release.freeze_override_reason,
            version=release.version,
            created_at=release.created_at,
            updated_at=release.updated_at,
            model=release,
        )

    @strawberry.field(description="The status it may move to next.")
    def next_statuses(self) -> list[models.ReleaseStatus]:
        return list(allowed_next(self.model.status))

    @strawberry.field(description="The team that runs the release.")
    def owner_team(self) -> Team:
        return Team.from_model(self.model.owner_team)

    @strawberry.field(description="The services it changes, by name.")
    def services(self) -> list[Service]:
        return [Service.from_model(service) for service in self.model.services]

    @strawberry.field(description="Its backlog items, by rank.")
    def items(self) -> list[BacklogItem]:
        return [BacklogItem.from_model(item) for item in self.model.items]

    @strawberry.field(description="Seasonal releases: each service's readiness assessment.")
    def readiness(self) -> list[ReadinessAssessment]:
        return [ReadinessAssessment.from_model(row) for row in self.model.readiness]


@strawberry.type(description="How ready one service is for a seasonal Salesforce release.")
class ReadinessAssessment(Node, Versioned):
    id: strawberry.ID
    features_to_adopt: list[str]
    release_updates_enforced: list[str]
    risk: models.ReadinessRisk
    regression_test_status: models.RegressionTestStatus
    actions: list[str]
    ready: bool
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.ReadinessAssessment]

    @classmethod
    def from_model(cls, row: models.ReadinessAssessment) -> ReadinessAssessment:
        return cls(
            id=global_id("ReadinessAssessment", row.id),
            features_to_adopt=list(row.features_to_adopt),
            release_updates_enforced=list(row.release_updates_enforced),
            risk=row.risk,
            regression_test_status=row.regression_test_status,
            actions=list(row.actions),
            ready=row.ready,
            notes=row.notes,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            model=row,
        )

    @strawberry.field
    def release(self) -> Release:
        return Release.from_model(self.model.release)

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)


@strawberry.type(description="A hot fix reached one Salesforce org.")
class HotfixDeployment(Node, Versioned):
    id: strawberry.ID
    deployed_at: datetime
    version: int
    created_at: datetime
    model: strawberry.Private[models.HotfixDeployment]

    @classmethod
    def from_model(cls, row: models.HotfixDeployment) -> HotfixDeployment:
        return cls(
            id=global_id("HotfixDeployment", row.id),
            deployed_at=row.deployed_at,
            version=row.version,
            created_at=row.created_at,
            model=row,
        )

    @strawberry.field
    def salesforce_org(self) -> SalesforceOrg:
        return SalesforceOrg.from_model(self.model.salesforce_org)

    @strawberry.field(description="The hot fix.")
    def item(self) -> BacklogItem:
        return BacklogItem.from_model(self.model.item)


register_relations(
    "Release",
    {
        "ownerTeam": ([models.Release.owner_team], "Team"),
        "services": ([models.Release.services], "Service"),
        "items": ([models.Release.items], "BacklogItem"),
        "readiness": ([models.Release.readiness], "ReadinessAssessment"),
    },
)
register_relations(
    "ReadinessAssessment",
    {
        "release": ([models.ReadinessAssessment.release], "Release"),
        "service": ([models.ReadinessAssessment.service], "Service"),
    },
)
register_relations(
    "HotfixDeployment",
    {
        "salesforceOrg": ([models.HotfixDeployment.salesforce_org], "SalesforceOrg"),
        "item": ([models.HotfixDeployment.item], "BacklogItem"),
    },
)


# The compiled read path (graphql_schema/compiled): the same values, built in SQL.


def _owner_team(release: FromClause, _: Parameters) -> Rows:
    team = identity_models.Team.__table__.alias()
    return Rows(team, team.c.id == release.c.owner_team_id)


def _services(release: FromClause, _: Parameters) -> Rows:
    link = models.release_service.alias()
    service = ServiceModel.__table__.alias()
    return Rows(
        service,
        link.c.release_id == release.c.id,
        from_=link.join(service, service.c.id == link.c.service_id),
        order_by=(service.c.name, service.c.id),
    )


def _items(release: FromClause, _: Parameters) -> Rows:
    item = backlog_models.BacklogItem.__table__.alias()
    return Rows(item, item.c.release_id == release.c.id, order_by=(item.c.rank, item.c.id))


def _readiness(release: FromClause, _: Parameters) -> Rows:
    row = models.ReadinessAssessment.__table__.alias()
    return Rows(row, row.c.release_id == release.c.id, order_by=(row.c.created_at, row.c.id))


def _release_of(row: FromClause, _: Parameters) -> Rows:
    release = models.Release.__table__.alias()
    return Rows(release, release.c.id == row.c.release_id)


def _service_of(row: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == row.c.service_id)


def _org_of(deployment: FromClause, _: Parameters) -> Rows:
    org = SalesforceOrgModel.__table__.alias()
    return Rows(org, org.c.id == deployment.c.salesforce_org_id)


def _item_of(deployment: FromClause, _: Parameters) -> Rows:
    item = backlog_models.BacklogItem.__table__.alias()
    return Rows(item, item.c.id == deployment.c.item_id)


declare_sql(
    "Release",
    {
        "id": GlobalId("Release"),
        "name": Column("name"),
        "versionLabel": Column("version_label"),
        "kind": Column("kind"),
        "status": Column("status"),
        "plannedOn": Column("planned_on"),
        "season": Column("season"),
        "seasonYear": Column("season_year"),
        "sandboxPreviewOn": Column("sandbox_preview_on"),
        "productionOn": Column("production_on"),
        "startedAt": Column("started_at"),
        "releasedAt": Column("released_at"),
        "rolledBackAt": Column("rolled_back_at"),
        "calendarOn": Computed(lambda release, _: calendar_day_sql(release.c)),
        "freezeOverrideReason": Column("freeze_override_reason"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "ownerTeam": Relation("Team", _owner_team),
        "services": Relation("Service", _services, many=True),
        "items": Relation("BacklogItem", _items, many=True),
        "readiness": Relation("ReadinessAssessment", _readiness, many=True),
    },
)
declare_sql(
    "ReadinessAssessment",
    {
        "id": GlobalId("ReadinessAssessment"),
        "featuresToAdopt": Column("features_to_adopt"),
        "releaseUpdatesEnforced": Column("release_updates_enforced"),
        "risk": Column("risk"),
        "regressionTestStatus": Column("regression_test_status"),
        "actions": Column("actions"),
        "ready": Column("ready"),
        "notes": Column("notes"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "release": Relation("Release", _release_of),
        "service": Relation("Service", _service_of),
    },
)
declare_sql(
    "HotfixDeployment",
    {
        "id": GlobalId("HotfixDeployment"),
        "deployedAt": Column("deployed_at"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "salesforceOrg": Relation("SalesforceOrg", _org_of),
        "item": Relation("BacklogItem", _item_of),
    },
)


def _calendar_order(release: FromClause) -> tuple[Any, ...]:
    """repository.calendar_order over an alias."""
    return (
        calendar_day_sql(release.c).asc().nulls_last(),
        release.c.created_at,
        release.c.id,
    )


def _releases_of_service(service: FromClause, _: Parameters) -> Rows:
    """`Service.releases` (repository.releases_by_service_ids)."""
    link = models.release_service.alias()
    release = models.Release.__table__.alias()
    return Rows(
        release,
        link.c.service_id == service.c.id,
        from_=link.join(release, release.c.id == link.c.release_id),
        order_by=_calendar_order(release),
    )


def _releases_of_team(team: FromClause, _: Parameters) -> Rows:
    """`Team.releases` (repository.releases_by_team_ids): run by it or changing its services."""
    release = models.Release.__table__.alias()
    link = models.release_service.alias()
    service = ServiceModel.__table__.alias()
    changes_its_service = (
        select(link.c.release_id)
        .join(service, service.c.id == link.c.service_id)
        .where(service.c.owner_team_id == team.c.id)
        # Tied to the team's row explicitly: uncorrelated, any team's services would count.
        .correlate_except(link, service)
    )
    return Rows(
        release,
        or_(release.c.owner_team_id == team.c.id, release.c.id.in_(changes_its_service)),
        order_by=_calendar_order(release),
    )


# Fields of `Service` and `Team` (fields.py), declared here beside the type they list.
declare_sql("Service", {"releases": Relation("Release", _releases_of_service, many=True)})
declare_sql("Team", {"releases": Relation("Release", _releases_of_team, many=True)})
register_node("Release", models.Release, Release.from_model)
register_node("ReadinessAssessment", models.ReadinessAssessment, ReadinessAssessment.from_model)
register_node("HotfixDeployment", models.HotfixDeployment, HotfixDeployment.from_model)
