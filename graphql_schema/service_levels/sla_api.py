"""Queries and mutations of SLAs: lists, stale ones, create / update / archive, reviews."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.access import requires
from graphql_schema.connection import Connection, paginate
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput, UserError
from graphql_schema.lifecycle import ArchiveInput
from graphql_schema.mutation import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.review import register_reviewable
from graphql_schema.service_levels.sla_types import Sla
from identity.principal import Principal, Role
from service_levels import models, repository, sla_actions


@strawberry.input(description="A metric held to a target; ratios are fractions from 0 to 1.")
class ObjectiveInput:
    metric: models.Metric
    comparator: models.Comparator
    target: float
    window_kind: models.WindowKind
    window_days: int | None = None
    benchmark_value: float | None = None
    benchmark_date: date | None = None
    scope_severity: str | None = strawberry.field(default=None, description="SEV1..SEV4.")
    scope_priority: str | None = strawberry.field(default=None, description="P1..P4.")
    scope_request_kind: str | None = strawberry.field(default=None, description="ACCESS...")


@strawberry.input
class CreateSlaInput:
    service_id: strawberry.ID
    name: str
    description: str | None = None
    review_interval_days: int | None = None
    objectives: list[ObjectiveInput]


@strawberry.input
class UpdateSlaInput:
    id: strawberry.ID
    version: int
    name: str | None = None
    description: str | None = None
    review_interval_days: int | None = None
    objectives: list[ObjectiveInput] | None = strawberry.field(
        default=None, description="Replaces every objective when given."
    )


@strawberry.input
class SlaFilter:
    service_id: strawberry.ID | None = None
    include_archived: bool = False


@strawberry.type
class SlaPayload:
    sla: Sla | None
    user_errors: list[UserError]


def _specs(objectives: list[ObjectiveInput]) -> list[sla_actions.ObjectiveSpec]:
    return [
        sla_actions.ObjectiveSpec(
            metric=models.Metric(item.metric),
            comparator=models.Comparator(item.comparator),
            target=item.target,
            window_kind=models.WindowKind(item.window_kind),
            window_days=item.window_days,
            benchmark_value=item.benchmark_value,
            benchmark_date=item.benchmark_date,
            scope_severity=item.scope_severity,
            scope_priority=item.scope_priority,
            scope_request_kind=item.scope_request_kind,
        )
        for item in objectives
    ]


async def _payload(info: Info, action: Any) -> SlaPayload:
    sla, errors = await run_mutation(info, action)
    return SlaPayload(
        sla=await payload_object(info, sla, field="sla", type_name="Sla", convert=Sla.from_model),
        user_errors=errors,
    )


ORDER = KeysetOrder(models.Sla.name, models.Sla.id, name="NAME")


@strawberry.type
class SlaQuery:
    @strawberry.field(description="SLAs by name; archived ones only when asked.")
    async def slas(
        self,
        info: Info,
        filter: SlaFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Sla]:
        given = filter or SlaFilter()
        try:
            service_id = (
                decode_id(given.service_id, "Service", field="serviceId")
                if given.service_id
                else None
            )
        except DomainError as error:
            raise BadUserInput(f"filter.{error.message}") from None
        return await paginate(
            info,
            repository.slas_query(service_id=service_id, include_archived=given.include_archived),
            type_name="Sla",
            convert=Sla.from_model,
            order=ORDER,
            request=PageRequest(first, after, last, before),
            fingerprint_parts=[str(service_id), given.include_archived],
        )

    @strawberry.field(description="SLAs whose last owner review is older than their interval.")
    async def stale_slas(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Sla]:
        return await paginate(
            info,
            repository.stale_slas_query(utcnow()),
            type_name="Sla",
            convert=Sla.from_model,
            order=ORDER,
            request=PageRequest(first, after, last, before),
            fingerprint_parts=["stale"],
        )


@strawberry.type
class SlaMutation:
    @strawberry.mutation(
        description="Agree an SLA on a service (its owner team or an ADMIN).",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def create_sla(self, info: Info, input: CreateSlaInput) -> SlaPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Sla:
            return await sla_actions.create_sla(
                session,
                principal=principal,
                service_id=decode_id(input.service_id, "Service", field="serviceId"),
                name=input.name,
                description=input.description,
                review_interval_days=input.review_interval_days,
                objectives=_specs(input.objectives),
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="Change an SLA; given objectives replace the old ones.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def update_sla(self, info: Info, input: UpdateSlaInput) -> SlaPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Sla:
            return await sla_actions.update_sla(
                session,
                principal=principal,
                sla_id=decode_id(input.id, "Sla", field="id"),
                version=input.version,
                name=input.name,
                description=input.description,
                review_interval_days=input.review_interval_days,
                objectives=_specs(input.objectives) if input.objectives is not None else None,
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="Archive an SLA: hidden from lists unless asked for.",
        metadata=requires(Role.TEAM_MEMBER),
    )
    async def archive_sla(self, info: Info, input: ArchiveInput) -> SlaPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Sla:
            return await sla_actions.archive_sla(
                session,
                principal=principal,
                sla_id=decode_id(input.id, "Sla", field="id"),
                version=input.version,
            )

        return await _payload(info, action)


async def _confirm(session: AsyncSession, principal: Principal, sla_id: uuid.UUID) -> models.Sla:
    return await sla_actions.confirm_sla_review(session, principal=principal, sla_id=sla_id)


def _reviewed(sla: models.Sla) -> Sla:
    return Sla.from_model(sla)


register_reviewable("Sla", confirm=_confirm, convert=_reviewed)
