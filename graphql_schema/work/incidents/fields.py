"""The incident fields of `Service`, kept out of catalog/services/types.py: `Service` inherits
them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphql_schema.context import Info

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

        # One statement for every service of the page, with the relations selected below.
        selections = info.selected_fields[0].selections
        found = await info.context.loaders.open_incidents[selections].load(self.model.id)
        return [Incident.from_model(incident) for incident in found or []]
