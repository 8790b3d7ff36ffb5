"""SLAs and objectives as GraphQL sees them; objectives answer their clock metrics."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from graphql_schema.catalog.types import Service
from graphql_schema.context import Info
from graphql_schema.history import Versioned
from graphql_schema.loaders import loader
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from graphql_schema.review import Reviewable, review_fields
from service_levels import models
from service_levels.objective_answers import objective_answers
from service_levels.objectives import Answer, Status

strawberry.enum(models.Metric, description="What an objective measures.")
strawberry.enum(
    models.Comparator, description="Whether the value must stay at most or at least the target."
)
strawberry.enum(models.WindowKind, description="The window an objective is measured over.")
strawberry.enum(Status, name="ObjectiveStatus", description="How an objective stands now.")


@strawberry.type(description="A reference value and when it was measured.")
class Benchmark:
    value: float
    date: date | None


@strawberry.type(description="The window an objective is measured over, in the service's zone.")
class ObjectiveWindow:
    kind: models.WindowKind
    days: int | None = strawberry.field(description="For ROLLING_DAYS.")


@strawberry.type(description="The records an objective counts: one severity, priority or kind.")
class ObjectiveScope:
    severity: str | None
    priority: str | None
    request_kind: str | None


async def _answers(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Answer]:
    return await objective_answers(session, ids, utcnow())


@strawberry.type(
    description="A metric held to a target. Ratios are fractions from 0 to 1; durations seconds."
)
class Objective(Node, Versioned):
    id: strawberry.ID
    metric: models.Metric
    comparator: models.Comparator
    target: float
    benchmark: Benchmark | None
    window: ObjectiveWindow
    scope: ObjectiveScope | None
    version: int
    model: strawberry.Private[models.Objective]

    @classmethod
    def from_model(cls, objective: models.Objective) -> Objective:
        has_scope = any(
            (objective.scope_severity, objective.scope_priority, objective.scope_request_kind)
        )
        return cls(
            id=global_id("Objective", objective.id),
            metric=objective.metric,
            comparator=objective.comparator,
            target=objective.target,
            benchmark=(
                Benchmark(value=objective.benchmark_value, date=objective.benchmark_date)
                if objective.benchmark_value is not None
                else None
            ),
            window=ObjectiveWindow(kind=objective.window_kind, days=objective.window_days),
            scope=(
                ObjectiveScope(
                    severity=objective.scope_severity,
                    priority=objective.scope_priority,
                    request_kind=objective.scope_request_kind,
                )
                if has_scope
                else None
            ),
            version=objective.version,
            model=objective,
        )

    async def _answer(self, info: Info) -> Answer | None:
        return await loader(info.context, "ObjectiveAnswerById", _answers).load(self.model.id)

    @strawberry.field(description="The value over the current window; null without data.")
    async def current_value(self, info: Info) -> float | None:
        found = await self._answer(info)
        return found.current_value if found else None

    @strawberry.field(
        description="MET, AT_RISK (met, but under 25 % of the error budget left, or within 10 %"
        " of a non-ratio target), BREACHED or NO_DATA."
    )
    async def status(self, info: Info) -> Status:
        found = await self._answer(info)
        return found.status if found else Status.NO_DATA

    @strawberry.field(description="The unused share of the error budget (ratio metrics only).")
    async def error_budget(self, info: Info) -> float | None:
        found = await self._answer(info)
        return found.error_budget if found else None


@strawberry.type(description="An agreement on a service, made of objectives.")
class Sla(Node, Versioned, Reviewable):
    id: strawberry.ID
    name: str
    description: str
    archived_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.Sla]

    @classmethod
    def from_model(cls, sla: models.Sla) -> Sla:
        return cls(
            id=global_id("Sla", sla.id),
            name=sla.name,
            description=sla.description,
            archived_at=sla.archived_at,
            version=sla.version,
            created_at=sla.created_at,
            updated_at=sla.updated_at,
            model=sla,
            **review_fields(
                last_reviewed_at=sla.last_reviewed_at,
                created_at=sla.created_at,
                interval_days=sla.review_interval_days,
            ),
        )

    @strawberry.field
    def service(self) -> Service:
        return Service.from_model(self.model.service)

    @strawberry.field(description="Its objectives, in the order given.")
    def objectives(self) -> list[Objective]:
        return [Objective.from_model(objective) for objective in self.model.objectives]


register_relations(
    "Sla",
    {
        "service": ([models.Sla.service], "Service"),
        "objectives": ([models.Sla.objectives], "Objective"),
    },
)
register_node("Sla", models.Sla, Sla.from_model)
register_node("Objective", models.Objective, Objective.from_model)
