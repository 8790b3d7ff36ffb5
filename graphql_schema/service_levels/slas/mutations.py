"""Mutations of SLAs: create, update, archive; an SLA is confirmed through confirmReview."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.archive_delete import by_id
from graphql_schema.catalog.reviews.mutations import register_reviewable
from graphql_schema.inputs import ArchiveInput
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
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


SLA = ObjectPayload(SlaPayload, "sla", Sla)


@strawberry.type
class SlaMutation:
    @mutation(
        "Agree an SLA on a service (its owner team or an ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=sla_actions.create_sla,
        payload=SLA,
    )
    def create_sla(self, input: CreateSlaInput) -> Arguments:
        return {
            "service_id": decode_id(input.service_id, "Service", field="serviceId"),
            "name": input.name,
            "description": input.description,
            "review_interval_days": input.review_interval_days,
            "objectives": _specs(input.objectives),
        }

    @mutation(
        "Change an SLA; given objectives replace the old ones.",
        permission=Role.TEAM_MEMBER,
        action=sla_actions.update_sla,
        payload=SLA,
    )
    def update_sla(self, input: UpdateSlaInput) -> Arguments:
        objectives = input.objectives
        return {
            "sla_id": decode_id(input.id, "Sla", field="id"),
            "version": input.version,
            "name": input.name,
            "description": input.description,
            "review_interval_days": input.review_interval_days,
            "objectives": _specs(objectives) if objectives is not None else None,
        }

    @mutation(
        "Archive an SLA: hidden from lists unless asked for.",
        permission=Role.TEAM_MEMBER,
        action=sla_actions.archive_sla,
        payload=SLA,
    )
    def archive_sla(self, input: ArchiveInput) -> Arguments:
        return by_id(input, "Sla", "sla_id")


async def _confirm(session: AsyncSession, principal: Principal, sla_id: uuid.UUID) -> models.Sla:
    return await sla_actions.confirm_sla_review(session, principal=principal, sla_id=sla_id)


def _reviewed(sla: models.Sla) -> Sla:
    return Sla.from_model(sla)


register_reviewable("Sla", confirm=_confirm, convert=_reviewed)
