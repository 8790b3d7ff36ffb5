"""Backlog items, sprints and design reviews as GraphQL sees them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from sqlalchemy import ColumnElement, FromClause, and_, case, exists, func, null, or_, select
from strawberry.types.lazy_type import LazyType

import graphql_schema.work.backlog.enums  # registers the enums first
import graphql_schema.work.enums  # noqa: F401  (registers ValueStream first)
from catalog.orgs.models import SalesforceOrg as SalesforceOrgModel
from catalog.services.models import Service as ServiceModel
from catalog.services.models import service_salesforce_org
from graphql_schema.catalog.orgs.types import SalesforceOrg
from graphql_schema.catalog.sandboxes.fields import HotfixSandboxFields
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled import formats
from graphql_schema.compiled.declarations import (
    Column,
    Computed,
    GlobalId,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.compiled.formats import global_id as global_id_sql
from graphql_schema.context import Info
from graphql_schema.history import Versioned
from graphql_schema.identity.types import Person, Team
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations, register_union_relation
from graphql_schema.work.backlog.loaders import load_source
from identity import models as identity_models
from work.backlog import models
from work.backlog.transitions import SKIPS_SPRINTS, allowed_next
from work.backlog.velocity import FINISHED, velocity
from work.releases import models as release_models
from work.value_streams import CORRECTIVE, RULE, ValueStream, item_value_stream

if TYPE_CHECKING:
    from catalog.orgs.models import SalesforceOrg as OrgModel
    from graphql_schema.feedback.types import Feedback
    from graphql_schema.work.incidents.types import Incident
    from graphql_schema.work.releases.types import HotfixDeployment, Release
    from graphql_schema.work.requests.types import ServiceRequest

_DESCRIPTION = "What a backlog item answers: feedback, a service request or an incident."
if TYPE_CHECKING:
    BacklogItemSource: TypeAlias = Feedback | ServiceRequest | Incident
else:
    # Lazy members: the three types read BacklogItem themselves.
    BacklogItemSource = Annotated[
        LazyType("Feedback", "graphql_schema.feedback.types")
        | LazyType("ServiceRequest", "graphql_schema.work.requests.types")
        | LazyType("Incident", "graphql_schema.work.incidents.types"),
        strawberry.union("BacklogItemSource", description=_DESCRIPTION),
    ]
SOURCE_TYPES = {"FEEDBACK": "Feedback", "REQUEST": "ServiceRequest", "INCIDENT": "Incident"}
_RELEASES = "graphql_schema.work.releases.types"


@strawberry.type(description="An item on a team's backlog.")
class BacklogItem(Node, Versioned, HotfixSandboxFields):
    id: strawberry.ID
    title: str
    description: str
    type: models.BacklogItemType
    status: models.BacklogItemStatus
    rank: float = strawberry.field(description="Lower ranks come first in the backlog.")
    estimate: int | None
    needs_design_review: bool
    released_at: datetime | None
    back_merged_at: datetime | None = strawberry.field(
        description="Hot fixes: when the fix was applied back to the development line."
    )
    source_type: str | None = strawberry.field(
        description="What the item answers: FEEDBACK, REQUEST or INCIDENT."
    )
    source_id: strawberry.ID | None
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.BacklogItem]

    @classmethod
    def from_model(cls, item: models.BacklogItem) -> BacklogItem:
        source_type = SOURCE_TYPES.get(item.source_type or "")
        source = global_id(source_type, item.source_id) if source_type and item.source_id else None
        return cls(
            id=global_id("BacklogItem", item.id),
            title=item.title,
            description=item.description,
            type=item.type,
            status=item.status,
            rank=item.rank,
            estimate=item.estimate,
            needs_design_review=item.needs_design_review,
            released_at=item.released_at,
            back_merged_at=item.back_merged_at,
            source_type=item.source_type,
            source_id=source,
            version=item.version,
            created_at=item.created_at,
            updated_at=item.updated_at,
            model=item,
        )

    @strawberry.field(description=f"The value stream the item serves, derived: {RULE}")
    def value_stream(self) -> ValueStream:
        return item_value_stream(self.model.type, self.model.source_type)

    @strawberry.field(
        description="The feedback, request or incident the item answers; null when it was"
        " raised on the backlog directly."
    )
    async def source(self, info: Info) -> BacklogItemSource | None:
        return await load_source(info, self.model)

    @strawberry.field(description="Every state the item may move to next, by any mutation.")
    def next_statuses(self) -> list[models.BacklogItemStatus]:
        return list(allowed_next(self.model.type, self.model.status))

    @strawberry.field(description="The team whose backlog holds the item.")
    def team(self) -> Team:
        return Team.from_model(self.model.backlog.team)

    @strawberry.field
    def service(self) -> Service | None:
        service = self.model.service
        return Service.from_model(service) if service is not None else None

    @strawberry.field
    def sprint(self) -> Sprint | None:
        sprint = self.model.sprint
        return Sprint.from_model(sprint) if sprint is not None else None

    @strawberry.field(description="The release it is planned for or shipped in.")
    def release(self) -> Annotated[Release, strawberry.lazy(_RELEASES)] | None:
        from graphql_schema.work.releases.types import Release

        release = self.model.release
        return Release.from_model(release) if release is not None else None

    @strawberry.field(description="Every design review of the item, oldest first.")
    def design_reviews(self) -> list[DesignReview]:
        return [DesignReview.from_model(review) for review in self.model.design_reviews]

    @strawberry.field(
        description="Hot fixes: the orgs the fix must reach (those given, else its service's)."
    )
    def affected_orgs(self) -> list[SalesforceOrg]:
        return [SalesforceOrg.from_model(org) for org in _affected(self.model)]

    @strawberry.field(description="Hot fixes: where the fix was deployed, and when.")
    def deployments(self) -> list[Annotated[HotfixDeployment, strawberry.lazy(_RELEASES)]]:
        from graphql_schema.work.releases.types import HotfixDeployment

        return [HotfixDeployment.from_model(row) for row in self.model.deployments]

    @strawberry.field(description="Hot fixes: the affected orgs the fix has not reached yet.")
    def pending_orgs(self) -> list[SalesforceOrg]:
        deployed = {org.id for org in self.model.deployed_orgs}
        return [
            SalesforceOrg.from_model(org) for org in _affected(self.model) if org.id not in deployed
        ]


def _affected(item: models.BacklogItem) -> list[OrgModel]:
    if item.type not in SKIPS_SPRINTS:
        return []
    if item.explicit_affected_orgs:
        return list(item.explicit_affected_orgs)
    return list(item.service.salesforce_orgs) if item.service is not None else []


@strawberry.type(description="A time-box of a team's work.")
class Sprint(Node, Versioned):
    id: strawberry.ID
    name: str
    starts_on: date
    ends_on: date
    goal: str
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Sprint]

    @classmethod
    def from_model(cls, sprint: models.Sprint) -> Sprint:
        return cls(
            id=global_id("Sprint", sprint.id),
            name=sprint.name,
            starts_on=sprint.starts_on,
            ends_on=sprint.ends_on,
            goal=sprint.goal,
            version=sprint.version,
            created_at=sprint.created_at,
            updated_at=sprint.updated_at,
            model=sprint,
        )

    @strawberry.field
    def team(self) -> Team:
        return Team.from_model(self.model.team)

    @strawberry.field(description="The items taken into the sprint, by rank.")
    def items(self) -> list[BacklogItem]:
        return [BacklogItem.from_model(item) for item in self.model.items]

    @strawberry.field(description="Sum of the estimates of its items DONE or RELEASED.")
    def velocity(self) -> int:
        return velocity((item.status, item.estimate) for item in self.model.items)


@strawberry.type(description="A design authority's verdict on a backlog item.")
class DesignReview(Node, Versioned):
    id: strawberry.ID
    outcome: models.DesignReviewOutcome
    notes: str
    reviewer_actor: str = strawberry.field(description="Who reviewed, as history names actors.")
    version: int
    created_at: datetime
    model: strawberry.Private[models.DesignReview]

    @classmethod
    def from_model(cls, review: models.DesignReview) -> DesignReview:
        return cls(
            id=global_id("DesignReview", review.id),
            outcome=review.outcome,
            notes=review.notes,
            reviewer_actor=review.reviewer_actor,
            version=review.version,
            created_at=review.created_at,
            model=review,
        )

    @strawberry.field(description="The reviewer; null for a machine client.")
    def reviewer(self) -> Person | None:
        reviewer = self.model.reviewer
        return Person.from_model(reviewer) if reviewer is not None else None

    @strawberry.field
    def item(self) -> BacklogItem:
        return BacklogItem.from_model(self.model.item)


Item = models.BacklogItem
_ORG_PATHS: list[tuple[Sequence[Any], str]] = [
    ([Item.explicit_affected_orgs], "SalesforceOrg"),
    ([Item.service, ServiceModel.salesforce_orgs], "SalesforceOrg"),
]
register_relations(
    "BacklogItem",
    {
        "team": ([Item.backlog, models.Backlog.team], "Team"),
        "service": ([Item.service], "Service"),
        "sprint": ([Item.sprint], "Sprint"),
        "release": ([Item.release], "Release"),
        "designReviews": ([Item.design_reviews], "DesignReview"),
        "deployments": ([Item.deployments], "HotfixDeployment"),
    },
)
# Fields reading several relations (register_union_relation loads one path per entry).
register_union_relation("BacklogItem", "affectedOrgs", _ORG_PATHS)
register_union_relation(
    "BacklogItem", "pendingOrgs", [*_ORG_PATHS, ([Item.deployed_orgs], "SalesforceOrg")]
)
register_relations(
    "Sprint",
    {
        "team": ([models.Sprint.team], "Team"),
        "items": ([models.Sprint.items], "BacklogItem"),
        "velocity": ([models.Sprint.items], "BacklogItem"),
    },
)
register_relations(
    "DesignReview",
    {
        "reviewer": ([models.DesignReview.reviewer], "Person"),
        "item": ([models.DesignReview.item], "BacklogItem"),
    },
)


# The compiled read path (graphql_schema/compiled): the same values, built in SQL.


def _value_stream(item: FromClause, _: Parameters) -> ColumnElement[Any]:
    """`item_value_stream`: corrective work and incident follow-ups detect to correct."""
    corrective = or_(item.c.type.in_(sorted(CORRECTIVE)), item.c.source_type == "INCIDENT")
    return case(
        (corrective, formats.sql_text(ValueStream.DETECT_TO_CORRECT.value)),
        else_=formats.sql_text(ValueStream.REQUEST_TO_FULFIL.value),
    )


def _source_id(item: FromClause, _: Parameters) -> ColumnElement[Any]:
    """`BacklogItem.from_model`'s source id: null without a known source type and an id."""
    return case(
        *(
            (item.c.source_type == stored, global_id_sql(type_name, item.c.source_id))
            for stored, type_name in SOURCE_TYPES.items()
        ),
        else_=null(),
    )


def _team_of_item(item: FromClause, _: Parameters) -> Rows:
    backlog = models.Backlog.__table__.alias()
    team = identity_models.Team.__table__.alias()
    return Rows(
        team,
        backlog.c.id == item.c.backlog_id,
        from_=backlog.join(team, team.c.id == backlog.c.team_id),
    )


def _service_of(item: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == item.c.service_id)


def _sprint_of(item: FromClause, _: Parameters) -> Rows:
    sprint = models.Sprint.__table__.alias()
    return Rows(sprint, sprint.c.id == item.c.sprint_id)


def _release_of(item: FromClause, _: Parameters) -> Rows:
    release = release_models.Release.__table__.alias()
    return Rows(release, release.c.id == item.c.release_id)


def _design_reviews(item: FromClause, _: Parameters) -> Rows:
    review = models.DesignReview.__table__.alias()
    return Rows(review, review.c.item_id == item.c.id, order_by=(review.c.created_at, review.c.id))


def _deployments(item: FromClause, _: Parameters) -> Rows:
    deployment = release_models.HotfixDeployment.__table__.alias()
    return Rows(
        deployment,
        deployment.c.item_id == item.c.id,
        order_by=(deployment.c.deployed_at, deployment.c.id),
    )


def _affected_orgs(item: FromClause, pending: bool) -> Rows:
    """`_affected`: hot fixes only; the orgs given for the item by name, else its service's
    orgs in their order; `pending` leaves out the orgs the fix was deployed to."""
    org = SalesforceOrgModel.__table__.alias()
    given_any = models.backlog_item_affected_org.alias()
    given = models.backlog_item_affected_org.alias()
    link = service_salesforce_org.alias()
    # Subqueries two levels below the item: correlated to it by name (SQLAlchemy correlates
    # only to the enclosing statement by itself).
    has_given = exists().where(given_any.c.backlog_item_id == item.c.id).correlate(item)
    is_given = (
        exists()
        .where(given.c.backlog_item_id == item.c.id, given.c.salesforce_org_id == org.c.id)
        .correlate(item, org)
    )
    position = (
        select(link.c.position)
        .where(link.c.service_id == item.c.service_id, link.c.salesforce_org_id == org.c.id)
        .correlate(item, org)
        .scalar_subquery()
    )
    conditions = [
        item.c.type.in_(sorted(SKIPS_SPRINTS)),
        case((has_given, is_given), else_=position.is_not(None)),
    ]
    if pending:
        deployment = release_models.HotfixDeployment.__table__.alias()
        conditions.append(
            ~exists()
            .where(deployment.c.item_id == item.c.id, deployment.c.salesforce_org_id == org.c.id)
            .correlate(item, org)
        )
    return Rows(
        org,
        and_(*conditions),
        order_by=(
            case((has_given, org.c.name), else_=null()),
            case((has_given, null()), else_=position),
            org.c.id,
        ),
    )


def _sprint_items(sprint: FromClause, _: Parameters) -> Rows:
    item = models.BacklogItem.__table__.alias()
    return Rows(item, item.c.sprint_id == sprint.c.id, order_by=(item.c.rank, item.c.id))


def _velocity(sprint: FromClause, _: Parameters) -> ColumnElement[Any]:
    """`velocity`: the estimates of the items DONE or RELEASED, unestimated ones as 0."""
    item = models.BacklogItem.__table__.alias()
    finished = (
        select(func.coalesce(func.sum(item.c.estimate), 0))
        .where(item.c.sprint_id == sprint.c.id, item.c.status.in_(sorted(FINISHED)))
        .correlate(sprint)
        .scalar_subquery()
    )
    return finished


def _team_of_sprint(sprint: FromClause, _: Parameters) -> Rows:
    team = identity_models.Team.__table__.alias()
    return Rows(team, team.c.id == sprint.c.team_id)


def _reviewer_of(review: FromClause, _: Parameters) -> Rows:
    person = identity_models.Person.__table__.alias()
    return Rows(person, person.c.id == review.c.reviewer_id)


def _item_of(review: FromClause, _: Parameters) -> Rows:
    item = models.BacklogItem.__table__.alias()
    return Rows(item, item.c.id == review.c.item_id)


declare_sql(
    "BacklogItem",
    {
        "id": GlobalId("BacklogItem"),
        "title": Column("title"),
        "description": Column("description"),
        "type": Column("type"),
        "status": Column("status"),
        "rank": Column("rank"),
        "estimate": Column("estimate"),
        "needsDesignReview": Column("needs_design_review"),
        "releasedAt": Column("released_at"),
        "backMergedAt": Column("back_merged_at"),
        "sourceType": Column("source_type"),
        "sourceId": Computed(_source_id),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "valueStream": Computed(_value_stream),
        "team": Relation("Team", _team_of_item),
        "service": Relation("Service", _service_of),
        "sprint": Relation("Sprint", _sprint_of),
        "release": Relation("Release", _release_of),
        "designReviews": Relation("DesignReview", _design_reviews, many=True),
        "affectedOrgs": Relation(
            "SalesforceOrg", lambda item, _: _affected_orgs(item, pending=False), many=True
        ),
        "deployments": Relation("HotfixDeployment", _deployments, many=True),
        "pendingOrgs": Relation(
            "SalesforceOrg", lambda item, _: _affected_orgs(item, pending=True), many=True
        ),
    },
)
declare_sql(
    "Sprint",
    {
        "id": GlobalId("Sprint"),
        "name": Column("name"),
        "startsOn": Column("starts_on"),
        "endsOn": Column("ends_on"),
        "goal": Column("goal"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "team": Relation("Team", _team_of_sprint),
        "items": Relation("BacklogItem", _sprint_items, many=True),
        "velocity": Computed(_velocity),
    },
)
declare_sql(
    "DesignReview",
    {
        "id": GlobalId("DesignReview"),
        "outcome": Column("outcome"),
        "notes": Column("notes"),
        "reviewerActor": Column("reviewer_actor"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "reviewer": Relation("Person", _reviewer_of),
        "item": Relation("BacklogItem", _item_of),
    },
)
register_node("BacklogItem", models.BacklogItem, BacklogItem.from_model)
register_node("Sprint", models.Sprint, Sprint.from_model)
register_node("DesignReview", models.DesignReview, DesignReview.from_model)
