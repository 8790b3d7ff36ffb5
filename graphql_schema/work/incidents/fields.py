"""The incident fields of `Service`, kept out of catalog/services/types.py: `Service` inherits
them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphql_schema.catalog.trust.types import VendorIncident
from graphql_schema.context import Info
from work.incidents.vendor_time import VendorAttribution

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


@strawberry.type
class IncidentVendorFields:
    """Shared responsibility: the part of the incident that counts against Salesforce."""

    model: strawberry.Private[Any]

    async def _attribution(self, info: Info) -> VendorAttribution:
        found = await info.context.loaders.vendor_attribution_by_incident_id.load(self.model.id)
        return found or VendorAttribution()

    @strawberry.field(
        description="True when part of the incident overlaps a Trust incident it is linked to,"
        " or one on an instance its services' orgs run on: that time counts against the"
        " vendor in AVAILABILITY and MTTR, not against the team."
    )
    async def vendor_attributed(self, info: Info) -> bool:
        return (await self._attribution(info)).seconds > 0

    @strawberry.field(
        description="Seconds of [detected, mitigated) (or now, while unmitigated) inside those"
        " Trust incidents."
    )
    async def vendor_attributed_seconds(self, info: Info) -> float:
        return (await self._attribution(info)).seconds

    @strawberry.field(
        description="The Trust incident a responder linked it to (linkTrustIncident)."
    )
    async def trust_incident(self, info: Info) -> VendorIncident | None:
        linked = self.model.vendor_incident_id
        if linked is None:
            return None
        row = await info.context.loaders.vendor_incidents_by_id.load(linked)
        return VendorIncident.from_model(row) if row is not None else None

    @strawberry.field(
        description="Every Trust incident its time counts against: the linked one and those"
        " overlapping it on its services' orgs' instances, oldest first."
    )
    async def vendor_incidents(self, info: Info) -> list[VendorIncident]:
        ids = (await self._attribution(info)).vendor_incident_ids
        rows = await info.context.loaders.vendor_incidents_by_id.load_many(ids)
        return [VendorIncident.from_model(row) for row in rows if row is not None]
