"""`Service.openIncidents` through a per-request loader: one statement for every service of a
page, with the relations selected below (a loader per selection: aliases selecting
differently get their own)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.nodes import Selection

from graphql_schema.prefetch import loader_options
from work.incidents import repository
from work.incidents.models import Incident as IncidentModel


async def open_incidents(
    selections: Sequence[Selection], session: AsyncSession, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[IncidentModel]]:
    options = loader_options(selections, "Incident")
    return await repository.open_by_service(session, keys, options)
