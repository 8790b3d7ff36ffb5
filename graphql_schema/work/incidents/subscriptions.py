"""`incidentChanged`: incidents as they are reported, moved or changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry

from core.notifications import Channel
from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.live import deliveries, load_by_id, service_filter
from graphql_schema.work.incidents.types import Incident
from identity.principal import Role
from work.incidents import models


def _affects(wanted: str | None, payload: dict[str, Any]) -> bool:
    services = payload.get("serviceIds")
    return wanted is None or (isinstance(services, list) and wanted in services)


@strawberry.type
class IncidentSubscription:
    @strawberry.subscription(
        description="Each incident reported, moved or changed (as committed), on one service"
        " or all.",
        metadata=requires(Role.VIEWER),
    )
    async def incident_changed(
        self, info: Info, service_id: strawberry.ID | None = None
    ) -> AsyncIterator[Incident]:
        wanted = service_filter(service_id)
        load = load_by_id(info, models.Incident, "Incident", Incident.from_model)

        async for incident in deliveries(
            info, Channel.INCIDENTS, matches=lambda payload: _affects(wanted, payload), load=load
        ):
            yield incident
