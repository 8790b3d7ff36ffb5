"""Per-request loading of the AI-model register: the latest evaluations of every model of a
page in one statement, each service's models and attention flag in one statement each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from strawberry.types.nodes import Selection

from catalog.ai_models import attention, repository
from catalog.ai_models.models import AIModel as AIModelModel
from catalog.ai_models.models import Evaluation
from catalog.services.models import Service as ServiceModel
from core.clock import utcnow
from graphql_schema.compiled.declarations import clock_parameter
from graphql_schema.context import Info
from graphql_schema.prefetch import loader_options


async def attention_by_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, bool]:
    return await repository.attention_by_service_ids(
        session, service_ids, clock_parameter(utcnow())
    )


async def models_by_service_ids(
    selections: Sequence[Selection], session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AIModelModel]]:
    """Each service's models, with the relations the selection reads."""
    options = loader_options(selections, "AIModel")
    return await repository.models_by_service_ids(session, keys, options)


async def latest_of(info: Info, model_id: uuid.UUID) -> list[Evaluation]:
    return await info.context.loaders.latest_evaluations.load(model_id) or []


def _latest(found: list[Evaluation]) -> list[attention.Latest]:
    return [attention.Latest(item.kind, item.evaluated_at, item.passed) for item in found]


async def overdue(info: Info, model: AIModelModel) -> bool:
    return attention.is_overdue(
        status=model.status,
        created_at=model.created_at,
        cadence_days=model.evaluation_cadence_days,
        learns_from_live_data=model.learns_from_live_data,
        latest=_latest(await latest_of(info, model.id)),
        now=utcnow(),
    )


async def failing(info: Info, model: AIModelModel) -> bool:
    return attention.is_failing(
        status=model.status, latest=_latest(await latest_of(info, model.id))
    )


async def ai_models_of(info: Info, service: ServiceModel) -> list[AIModelModel]:
    selections = info.selected_fields[0].selections
    found = await info.context.loaders.ai_models_by_service_id[selections].load(service.id) or []
    for model in found:
        set_committed_value(model, "service", service)  # known here: no statement for it
    return found


async def attention_of(info: Info, service_id: uuid.UUID) -> bool:
    return bool(await info.context.loaders.ai_models_attention.load(service_id))
