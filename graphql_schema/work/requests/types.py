"""Service requests as GraphQL sees them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import FromClause

import graphql_schema.work.enums  # registers ValueStream first
import graphql_schema.work.requests.enums  # noqa: F401  (registers the enums first)
from catalog.services.models import Service as ServiceModel
from graphql_schema.catalog.orgs.types import SalesforceCase
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import (
    Column,
    GlobalId,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.context import Info
from graphql_schema.history import Versioned
from graphql_schema.identity.types import Person
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from graphql_schema.service_levels.clocks.fields import ServiceRequestClockFields
from graphql_schema.work.backlog.types import BacklogItem
from identity import models as identity_models
from work.backlog import models as backlog_models
from work.requests import models
from work.requests.transitions import allowed_next
from work.value_streams import ValueStream


@strawberry.type(description="One move of a service request: who made it, when, from and to.")
class ServiceRequestStatusChange:
    from_status: models.RequestStatus | None
    to_status: models.RequestStatus
    at: datetime
    actor: str | None = strawberry.field(
        description="`person:<id>`, `client:<id>@<issuer>`, or `system:release`."
    )
    note: str | None

    @classmethod
    def from_model(cls, change: models.RequestStatusChange) -> ServiceRequestStatusChange:
        return cls(
            from_status=change.from_status,
            to_status=change.to_status,
            at=change.at,
            actor=change.actor,
            note=change.note,
        )


@strawberry.type(description="Something a person asks of a service's team.")
class ServiceRequest(Node, Versioned, ServiceRequestClockFields):
    id: strawberry.ID
    title: str
    body: str
    kind: models.RequestKind
    impact: models.Level
    urgency: models.Level
    priority: models.Priority = strawberry.field(
        description="Derived from impact and urgency by the priority matrix."
    )
    estimated_duration_seconds: int | None
    support_tier: models.SupportTier = strawberry.field(
        description="L1 or L2; escalating between them changes the tier, not the status."
    )
    value_stream: ValueStream
    status: models.RequestStatus
    vendor_case_number: str | None = strawberry.field(
        description="The Salesforce Case opened by escalateToSalesforceSupport."
    )
    fulfilled_at: datetime | None
    breach_at: datetime | None = strawberry.field(
        description="When the running SLA clock breaches (kept by the SLA clocks)."
    )
    warning_at: datetime | None = strawberry.field(
        description="When the running SLA clock passes CATALOG_SLA_WARNING_PERCENT of its target"
        " (kept by the SLA clocks)."
    )
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.ServiceRequest]

    @classmethod
    def from_model(cls, request: models.ServiceRequest) -> ServiceRequest:
        return cls(
            id=global_id("ServiceRequest", request.id),
            title=request.title,
            body=request.body,
            kind=request.kind,
            impact=request.impact,
            urgency=request.urgency,
            priority=request.priority,
            estimated_duration_seconds=request.estimated_duration_seconds,
            support_tier=request.support_tier,
            value_stream=request.value_stream,
            status=request.status,
            vendor_case_number=request.vendor_case_number,
            fulfilled_at=request.fulfilled_at,
            breach_at=request.breach_at,
            warning_at=request.warning_at,
            version=request.version,
            created_at=request.created_at,
            updated_at=request.updated_at,
            model=request,
        )

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)

    @strawberry.field
    def requester(self) -> Person:
        return Person.from_model(self.model.requester)

    @strawberry.field
    def assignee(self) -> Person | None:
        assignee = self.model.assignee
        return Person.from_model(assignee) if assignee is not None else None

    @strawberry.field(description="The backlog item it was assigned to (ASSIGNED_TO_BACKLOG).")
    def backlog_item(self) -> BacklogItem | None:
        item = self.model.backlog_item
        return BacklogItem.from_model(item) if item is not None else None

    @strawberry.field(description="Every move, oldest first.")
    def status_history(self) -> list[ServiceRequestStatusChange]:
        return [ServiceRequestStatusChange.from_model(row) for row in self.model.status_changes]

    @strawberry.field(
        description="Every state the request may move to next, by any mutation or automatically."
    )
    def next_statuses(self) -> list[models.RequestStatus]:
        return list(allowed_next(self.model.status))

    @strawberry.field(
        description="The vendor's Case, read live from Salesforce. Null before escalation, when"
        " the Case's org is not connected, or when it fails (see errors)."
    )
    async def vendor_case(self, info: Info) -> SalesforceCase | None:
        gateway = info.context.salesforce
        org_id = self.model.vendor_org_id
        if gateway is None or org_id is None:
            return None
        ref = next((ref for ref in gateway.orgs if gateway.org_id(ref) == org_id), None)
        loader = info.context.loaders.vendor_cases
        if ref is None or loader is None:
            return None
        case = await loader.load((ref, str(self.model.id)))
        return SalesforceCase.from_record(org_id, case) if case is not None else None


Request = models.ServiceRequest
register_relations(
    "ServiceRequest",
    {
        "service": ([Request.service], "Service"),
        "requester": ([Request.requester], "Person"),
        "assignee": ([Request.assignee], "Person"),
        "backlogItem": ([Request.backlog_item], "BacklogItem"),
        "statusHistory": ([Request.status_changes], "ServiceRequestStatusChange"),
    },
)


# The compiled read path (graphql_schema/compiled): the same values, built in SQL.


def _service(request: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == request.c.service_id)


def _person(column: str) -> Relation:
    def rows(request: FromClause, _: Parameters) -> Rows:
        person = identity_models.Person.__table__.alias()
        return Rows(person, person.c.id == request.c[column])

    return Relation("Person", rows)


def _backlog_item(request: FromClause, _: Parameters) -> Rows:
    item = backlog_models.BacklogItem.__table__.alias()
    return Rows(item, item.c.id == request.c.backlog_item_id)


def _status_history(request: FromClause, _: Parameters) -> Rows:
    change = models.RequestStatusChange.__table__.alias()
    return Rows(change, change.c.request_id == request.c.id, order_by=(change.c.at, change.c.id))


declare_sql(
    "ServiceRequest",
    {
        "id": GlobalId("ServiceRequest"),
        "title": Column("title"),
        "body": Column("body"),
        "kind": Column("kind"),
        "impact": Column("impact"),
        "urgency": Column("urgency"),
        "priority": Column("priority"),
        "estimatedDurationSeconds": Column("estimated_duration_seconds"),
        "supportTier": Column("support_tier"),
        "valueStream": Column("value_stream"),
        "status": Column("status"),
        "vendorCaseNumber": Column("vendor_case_number"),
        "fulfilledAt": Column("fulfilled_at"),
        "breachAt": Column("breach_at"),
        "warningAt": Column("warning_at"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "service": Relation("Service", _service),
        "requester": _person("requester_id"),
        "assignee": _person("assignee_id"),
        "backlogItem": Relation("BacklogItem", _backlog_item),
        "statusHistory": Relation("ServiceRequestStatusChange", _status_history, many=True),
    },
)
declare_sql(
    "ServiceRequestStatusChange",
    {
        "fromStatus": Column("from_status"),
        "toStatus": Column("to_status"),
        "at": Column("at"),
        "actor": Column("actor"),
        "note": Column("note"),
    },
)
register_node("ServiceRequest", models.ServiceRequest, ServiceRequest.from_model)
