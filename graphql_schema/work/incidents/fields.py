"""The incident fields of `Service`, kept out of catalog/services/types.py: `Service` inherits
them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.context import Info
from graphql_schema.loaders import loader
from graphql_schema.prefetch import loader_options
from work.incidents import repository
from work.incidents.models import Incident as IncidentModel

if TYPE_CHECKING:
    from graphql_schema.work.incidents.types import Incident

_INCIDENTS = "graphql_schema.work.incidents.types"


@strawberry.type
class ServiceIncidentFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="Incidents affecting the service that are not yet RESOLVED, newest first."
    )
    async def open_incidents(
        self, info: Info
    ) -> list[Annotated[Incident, strawberry.lazy(_INCIDENTS)]]:
        from graphql_schema.work.incidents.types import Incident

        # One statement for every service of the page, with the relations selected below
        # (a loader per selection: aliases selecting differently get their own).
        selections = info.selected_fields[0].selections
        options = loader_options(selections, "Incident")

        async def batch(
            session: AsyncSession, keys: Sequence[uuid.UUID]
        ) -> dict[uuid.UUID, list[IncidentModel]]:
            return await repository.open_by_service(session, keys, options)

        none: list[IncidentModel] = []
        found = await loader(info.context, ("open_incidents", repr(selections)), batch, none).load(
            self.model.id
        )
        return [Incident.from_model(incident) for incident in found or none]
