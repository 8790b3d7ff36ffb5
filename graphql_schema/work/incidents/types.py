"""Incidents as GraphQL sees them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import FromClause, and_

import graphql_schema.work.enums  # registers ValueStream first
import graphql_schema.work.incidents.enums  # noqa: F401  (registers the enums first)
from catalog.services.models import Service as ServiceModel
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
from graphql_schema.service_levels.clocks.fields import IncidentClockFields
from graphql_schema.work.backlog.types import BacklogItem
from graphql_schema.work.incidents.fields import IncidentVendorFields
from identity import models as identity_models
from work.backlog import models as backlog_models
from work.backlog.transitions import SKIPS_SPRINTS
from work.incidents import models
from work.incidents.repository import OPEN_STATUSES
from work.incidents.transitions import allowed_next, cost, restore_seconds
from work.value_streams import ValueStream


@strawberry.type(description="An amount of money.")
class Money:
    amount: float
    currency: str = strawberry.field(description="ISO 4217 code, CATALOG_CURRENCY.")


@strawberry.type(
    description="One move of an incident: who made it, when it happened, when recorded."
)
class IncidentStatusChange:
    from_status: models.IncidentStatus | None
    to_status: models.IncidentStatus
    at: datetime = strawberry.field(description="When it happened (back-filled or now).")
    recorded_at: datetime
    actor: str | None
    note: str | None

    @classmethod
    def from_model(cls, change: models.IncidentStatusChange) -> IncidentStatusChange:
        return cls(
            from_status=change.from_status,
            to_status=change.to_status,
            at=change.at,
            recorded_at=change.recorded_at,
            actor=change.actor,
            note=change.note,
        )


@strawberry.type(description="An interruption or degradation of services, from detection to close.")
class Incident(Node, Versioned, IncidentClockFields, IncidentVendorFields):
    id: strawberry.ID
    title: str
    severity: models.Severity
    source: models.IncidentSource
    alert_key: str | None = strawberry.field(
        description="The alert's identity at its source; repeats of an open alert land here."
    )
    alert_count: int = strawberry.field(description="How many times the alert was reported.")
    last_alert_at: datetime
    status: models.IncidentStatus
    value_stream: ValueStream
    root_cause: str | None
    people_hours: float | None
    detected_at: datetime
    acknowledged_at: datetime | None
    mitigated_at: datetime | None = strawberry.field(
        description="The last mitigation; a reopen clears it (history keeps it)."
    )
    resolved_at: datetime | None
    closed_at: datetime | None
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
    model: strawberry.Private[models.Incident]

    @classmethod
    def from_model(cls, incident: models.Incident) -> Incident:
        return cls(
            id=global_id("Incident", incident.id),
            title=incident.title,
            severity=incident.severity,
            source=incident.source,
            alert_key=incident.alert_key,
            alert_count=incident.alert_count,
            last_alert_at=incident.last_alert_at,
            status=incident.status,
            value_stream=incident.value_stream,
            root_cause=incident.root_cause,
            people_hours=incident.people_hours,
            detected_at=incident.detected_at,
            acknowledged_at=incident.acknowledged_at,
            mitigated_at=incident.mitigated_at,
            resolved_at=incident.resolved_at,
            closed_at=incident.closed_at,
            breach_at=incident.breach_at,
            warning_at=incident.warning_at,
            version=incident.version,
            created_at=incident.created_at,
            updated_at=incident.updated_at,
            model=incident,
        )

    @strawberry.field(description="Seconds from detection to the final mitigation.")
    def restore_time_seconds(self) -> int | None:
        return restore_seconds(self.model.detected_at, self.model.mitigated_at)

    @strawberry.field(description="People-hours at CATALOG_INCIDENT_HOURLY_RATE.")
    def cost(self, info: Info) -> Money | None:
        settings = info.context.settings
        amount = cost(self.model.people_hours, settings.incident_hourly_rate)
        return Money(amount=amount, currency=settings.currency) if amount is not None else None

    @strawberry.field(description="The services it affects, by name.")
    def services(self) -> list[Service]:
        return [Service.from_model(service) for service in self.model.services]

    @strawberry.field
    def commander(self) -> Person | None:
        commander = self.model.commander
        return Person.from_model(commander) if commander is not None else None

    @strawberry.field(description="Every move, oldest first.")
    def status_history(self) -> list[IncidentStatusChange]:
        return [IncidentStatusChange.from_model(row) for row in self.model.status_changes]

    @strawberry.field(description="Every state the incident may move to next.")
    def next_statuses(self) -> list[models.IncidentStatus]:
        return list(allowed_next(self.model.status))

    @strawberry.field(
        description="Its hot fixes: HOTFIX and VULNERABILITY items made for it, oldest first."
    )
    def hotfixes(self) -> list[BacklogItem]:
        return [BacklogItem.from_model(item) for item in self.model.hotfixes]


Model = models.Incident
register_relations(
    "Incident",
    {
        "services": ([Model.services], "Service"),
        "commander": ([Model.commander], "Person"),
        "statusHistory": ([Model.status_changes], "IncidentStatusChange"),
        "hotfixes": ([Model.hotfixes], "BacklogItem"),
    },
)


# The compiled read path (graphql_schema/compiled): the same values, built in SQL.


def _services(incident: FromClause, _: Parameters) -> Rows:
    link = models.incident_service.alias()
    service = ServiceModel.__table__.alias()
    return Rows(
        service,
        link.c.incident_id == incident.c.id,
        from_=link.join(service, service.c.id == link.c.service_id),
        order_by=(service.c.name, service.c.id),
    )


def _commander(incident: FromClause, _: Parameters) -> Rows:
    person = identity_models.Person.__table__.alias()
    return Rows(person, person.c.id == incident.c.commander_id)


def _status_history(incident: FromClause, _: Parameters) -> Rows:
    change = models.IncidentStatusChange.__table__.alias()
    return Rows(change, change.c.incident_id == incident.c.id, order_by=(change.c.at, change.c.id))


def _hotfixes(incident: FromClause, _: Parameters) -> Rows:
    """`Incident.hotfixes`: HOTFIX and VULNERABILITY items raised from the incident."""
    item = backlog_models.BacklogItem.__table__.alias()
    return Rows(
        item,
        and_(
            item.c.source_id == incident.c.id,
            item.c.source_type == "INCIDENT",
            item.c.type.in_(sorted(SKIPS_SPRINTS)),
        ),
        order_by=(item.c.created_at, item.c.id),
    )


declare_sql(
    "Incident",
    {
        "id": GlobalId("Incident"),
        "title": Column("title"),
        "severity": Column("severity"),
        "source": Column("source"),
        "alertKey": Column("alert_key"),
        "alertCount": Column("alert_count"),
        "lastAlertAt": Column("last_alert_at"),
        "status": Column("status"),
        "valueStream": Column("value_stream"),
        "rootCause": Column("root_cause"),
        "peopleHours": Column("people_hours"),
        "detectedAt": Column("detected_at"),
        "acknowledgedAt": Column("acknowledged_at"),
        "mitigatedAt": Column("mitigated_at"),
        "resolvedAt": Column("resolved_at"),
        "closedAt": Column("closed_at"),
        "breachAt": Column("breach_at"),
        "warningAt": Column("warning_at"),
        "version": Column("version"),
        "createdAt": Column("created_at"),
        "updatedAt": Column("updated_at"),
        "services": Relation("Service", _services, many=True),
        "commander": Relation("Person", _commander),
        "statusHistory": Relation("IncidentStatusChange", _status_history, many=True),
        "hotfixes": Relation("BacklogItem", _hotfixes, many=True),
    },
)


def _open_incidents(service: FromClause, _: Parameters) -> Rows:
    """`Service.openIncidents` (repository.open_by_service): not yet RESOLVED, newest first."""
    link = models.incident_service.alias()
    incident = models.Incident.__table__.alias()
    return Rows(
        incident,
        and_(link.c.service_id == service.c.id, incident.c.status.in_(OPEN_STATUSES)),
        from_=link.join(incident, incident.c.id == link.c.incident_id),
        order_by=(incident.c.created_at.desc(), incident.c.id.desc()),
    )


# A field of `Service` (fields.py), declared here beside the type it lists.
declare_sql("Service", {"openIncidents": Relation("Incident", _open_incidents, many=True)})
declare_sql(
    "IncidentStatusChange",
    {
        "fromStatus": Column("from_status"),
        "toStatus": Column("to_status"),
        "at": Column("at"),
        "recordedAt": Column("recorded_at"),
        "actor": Column("actor"),
        "note": Column("note"),
    },
)
register_node("Incident", models.Incident, Incident.from_model)
