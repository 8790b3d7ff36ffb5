"""`Service.slas` through a per-request loader: two statements for any number of services."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from strawberry.dataloader import DataLoader

from catalog.services.models import Service as ServiceModel
from graphql_schema.context import Info
from graphql_schema.loaders import loader
from graphql_schema.service_levels.slas.types import Sla
from service_levels import repository
from service_levels.models import Sla as SlaModel


async def _slas(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SlaModel]]:
    return await repository.slas_by_service_ids(session, service_ids)


async def slas_of(info: Info, service: ServiceModel) -> list[Sla]:
    slas: DataLoader[uuid.UUID, list[SlaModel] | None] = loader(
        info.context, "SlasByServiceId", _slas
    )
    found = await slas.load(service.id)
    result = []
    for sla in found or []:
        set_committed_value(sla, "service", service)  # known here: no statement for it
        result.append(Sla.from_model(sla))
    return result
