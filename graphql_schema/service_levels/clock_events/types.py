"""Clock events as GraphQL sees them: a request's or incident's SLA clock passing its warning
threshold or its target."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, FromClause, Uuid, case, cast, func, literal_column

import graphql_schema.service_levels.clock_events.enums  # noqa: F401  (registers the enums first)
from catalog.services.models import Service as ServiceModel
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled import formats
from graphql_schema.compiled.declarations import (
    Column,
    Computed,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from service_levels import models
from service_levels.clock import ClockKind

BIGINT_MAX = 2**63 - 1
SUBJECT_TYPES = {
    models.ClockSubjectKind.REQUEST: "ServiceRequest",
    models.ClockSubjectKind.INCIDENT: "Incident",
}


def clock_event_global_id(event_id: int) -> strawberry.ID:
    """Clock events have integer keys; their global ids carry them as UUID(int=key)."""
    return global_id("ClockEvent", uuid.UUID(int=event_id))


def event_key(key: uuid.UUID) -> int:
    """The integer key a global id stands for; -1 (no event) when out of range."""
    return key.int if key.int <= BIGINT_MAX else -1


@strawberry.type(
    description="A request's or incident's SLA clock passing its warning threshold or its"
    " target, recorded once per (record, clock, threshold) by the clock-events job."
)
class ClockEvent(Node):
    id: strawberry.ID
    subject_kind: models.ClockSubjectKind
    subject_id: strawberry.ID = strawberry.field(
        description="The ServiceRequest or Incident whose clock it is (see `node`)."
    )
    clock: ClockKind
    threshold: models.ClockThreshold
    crossed_at: datetime = strawberry.field(description="When the clock passed the threshold.")
    at: datetime = strawberry.field(description="When the event was recorded.")
    model: strawberry.Private[models.ClockEvent]

    @classmethod
    def from_model(cls, event: models.ClockEvent) -> ClockEvent:
        return cls(
            id=clock_event_global_id(event.id),
            subject_kind=event.subject_kind,
            subject_id=global_id(SUBJECT_TYPES[event.subject_kind], event.subject_id),
            clock=ClockKind(event.clock),
            threshold=event.threshold,
            crossed_at=event.crossed_at,
            at=event.at,
            model=event,
        )

    @strawberry.field(description="The service whose targets the clock keeps.")
    def service(self) -> Service:
        return Service.from_model(self.model.service)


register_relations("ClockEvent", {"service": ([models.ClockEvent.service], "Service")})


# The compiled read path (graphql_schema/compiled): the same values, built in SQL.


def _integer_global_id(event: FromClause, _: Parameters) -> ColumnElement[Any]:
    """`clock_event_global_id`: the integer key as the UUID of that number."""
    hexadecimal = func.lpad(func.to_hex(event.c.id), 32, literal_column("'0'"))
    return formats.global_id("ClockEvent", cast(hexadecimal, Uuid))


def _subject_global_id(event: FromClause, _: Parameters) -> ColumnElement[Any]:
    return case(
        *(
            (event.c.subject_kind == kind.value, formats.global_id(name, event.c.subject_id))
            for kind, name in SUBJECT_TYPES.items()
        )
    )


def _service_of(event: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == event.c.service_id)


declare_sql(
    "ClockEvent",
    {
        "id": Computed(_integer_global_id),
        "subjectKind": Column("subject_kind"),
        "subjectId": Computed(_subject_global_id),
        "clock": Column("clock"),
        "threshold": Column("threshold"),
        "crossedAt": Column("crossed_at"),
        "at": Column("at"),
        "service": Relation("Service", _service_of),
    },
)
register_node("ClockEvent", models.ClockEvent, ClockEvent.from_model, key=event_key)
