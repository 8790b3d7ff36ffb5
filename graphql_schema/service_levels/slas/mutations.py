"""Mutations of SLAs: create, update, archive; an SLA is confirmed through confirmReview."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.access import requires
from graphql_schema.catalog.reviews.mutations import register_reviewable
from graphql_schema.context import Info
from graphql_schema.inputs import ArchiveInput
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.service_levels.slas.inputs import CreateSlaInput, ObjectiveInput, UpdateSlaInput
from graphql_schema.service_levels.slas.payloads import SlaPayload
from graphql_schema.service_levels.slas.types import Sla
from identity.principal import Principal, Role
from service_levels import models, sla_actions


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
