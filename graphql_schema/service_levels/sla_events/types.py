"""SLA events as GraphQL sees them: an objective that went at risk, breached or recovered."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

import graphql_schema.service_levels.sla_events.enums  # noqa: F401  (registers the enums first)
from graphql_schema.catalog.services.types import Service
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
register_node("SlaEvent", models.SlaEvent, SlaEvent.from_model, key=event_key)
