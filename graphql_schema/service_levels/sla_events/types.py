"""SLA events as GraphQL sees them: an objective that went at risk, breached or recovered."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, FromClause, Uuid, cast, func, literal_column

import graphql_schema.service_levels.sla_events.enums  # noqa: F401  (registers the enums first)
from catalog.services.models import Service as ServiceModel
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled import formats
from graphql_schema.compiled.declarations import (
    Column,
    Computed,
    Embedded,
    Parameters,
    Relation,
    Rows,
    declare_sql,
)
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from graphql_schema.service_levels.slas.types import Objective, Sla, TimeRange
from service_levels import models

BIGINT_MAX = 2**63 - 1


def event_global_id(event_id: int) -> strawberry.ID:
    """SLA events have integer keys; their global ids carry them as UUID(int=key)."""
    return global_id("SlaEvent", uuid.UUID(int=event_id))


def event_key(key: uuid.UUID) -> int:
    """The integer key a global id stands for; -1 (no event) when out of range."""
    return key.int if key.int <= BIGINT_MAX else -1


@strawberry.type(
    description="An objective going AT_RISK, BREACHED or RECOVERED (met again) in a window,"
    " recorded once per (objective, window, kind) by the evaluation job."
)
class SlaEvent(Node):
    id: strawberry.ID
    kind: models.SlaEventKind
    window: TimeRange = strawberry.field(description="The window measured, as evaluated.")
    value: float | None = strawberry.field(description="The objective's value when recorded.")
    target: float
    error_budget: float | None = strawberry.field(
        description="The unused share of the error budget when recorded (ratio metrics only)."
    )
    at: datetime = strawberry.field(description="When the event was recorded.")
    model: strawberry.Private[models.SlaEvent]

    @classmethod
    def from_model(cls, event: models.SlaEvent) -> SlaEvent:
        return cls(
            id=event_global_id(event.id),
            kind=event.kind,
            window=TimeRange(start=event.window_start, end=event.window_end),
            value=event.value,
            target=event.target,
            error_budget=event.error_budget,
            at=event.at,
            model=event,
        )

    @strawberry.field
    def objective(self) -> Objective:
        return Objective.from_model(self.model.objective)

    @strawberry.field
    def sla(self) -> Sla:
        return Sla.from_model(self.model.sla)

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)


register_relations(
    "SlaEvent",
    {
        "objective": ([models.SlaEvent.objective], "Objective"),
        "sla": ([models.SlaEvent.sla], "Sla"),
        "service": ([models.SlaEvent.service], "Service"),
    },
)


# The compiled read path (graphql_schema/compiled): the same values, built in SQL.


def _event_global_id(event: FromClause, _: Parameters) -> ColumnElement[Any]:
    """`event_global_id`: the integer key as the UUID of that number, `UUID(int=key)`."""
    hexadecimal = func.lpad(func.to_hex(event.c.id), 32, literal_column("'0'"))
    return formats.global_id("SlaEvent", cast(hexadecimal, Uuid))


def _objective_of(event: FromClause, _: Parameters) -> Rows:
    objective = models.Objective.__table__.alias()
    return Rows(objective, objective.c.id == event.c.objective_id)


def _sla_of(event: FromClause, _: Parameters) -> Rows:
    sla = models.Sla.__table__.alias()
    return Rows(sla, sla.c.id == event.c.sla_id)


def _service_of(event: FromClause, _: Parameters) -> Rows:
    service = ServiceModel.__table__.alias()
    return Rows(service, service.c.id == event.c.service_id)


declare_sql(
    "SlaEvent",
    {
        "id": Computed(_event_global_id),
        "kind": Column("kind"),
        "window": Embedded(),
        "value": Column("value"),
        "target": Column("target"),
        "errorBudget": Column("error_budget"),
        "at": Column("at"),
        "objective": Relation("Objective", _objective_of),
        "sla": Relation("Sla", _sla_of),
        "service": Relation("Service", _service_of),
    },
)
# Over an SLA event's row: `window` is the only compiled place a TimeRange is built
# (`Objective.currentWindow` is computed, and stays with the resolvers).
declare_sql("TimeRange", {"start": Column("window_start"), "end": Column("window_end")})
register_node("SlaEvent", models.SlaEvent, SlaEvent.from_model, key=event_key)
