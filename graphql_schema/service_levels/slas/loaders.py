"""Per-request loaders of SLAs and objectives: `Service.slas` in two statements for any
number of services, an objective's answer and series in one statement per page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from catalog.services.models import Service as ServiceModel
from core.clock import utcnow
from graphql_schema.context import Info
from graphql_schema.service_levels.slas.types import Sla
from service_levels.metric_sql import MetricSettings
from service_levels.objective_answers import SeriesPoint, objective_answers, objective_series
from service_levels.objectives import Answer
from service_levels.windows import Bucket

SeriesArgs = tuple[datetime, datetime, Bucket]  # from, to, bucket


async def answers(
    settings: MetricSettings, session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Answer]:
    return await objective_answers(session, ids, utcnow(), settings)


async def series(
    settings: MetricSettings, args: SeriesArgs, session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SeriesPoint]]:
    from_, to, bucket = args
    return await objective_series(session, ids, from_, to, bucket, settings)


async def slas_of(info: Info, service: ServiceModel) -> list[Sla]:
    found = await info.context.loaders.slas_by_service_id.load(service.id)
    result = []
    for sla in found or []:
        set_committed_value(sla, "service", service)  # known here: no statement for it
        result.append(Sla.from_model(sla))
    return result
