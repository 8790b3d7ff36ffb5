"""Queries of incidents."""

from __future__ import annotations

import uuid

import strawberry

from core.clock import utcnow
from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.connection import Connection, paged, paginate
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.node import decode_id
from graphql_schema.work.incidents.inputs import IncidentFilter
from graphql_schema.work.incidents.types import Incident
from work.incidents import models, repository


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return decode_id(value, type_name, field=field) if value else None


def incident_filter(given: IncidentFilter | None, info: Info) -> repository.IncidentFilter:
    if given is None:
        return repository.IncidentFilter()
    try:
        service_id = _optional_id(given.service_id, "Service", "serviceId")
        commander_id = _optional_id(given.commander_id, "Person", "commanderId")
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None
    involving_id: uuid.UUID | None = None
    team_ids: tuple[uuid.UUID, ...] = ()
    if given.mine:
        principal = info.context.principal
        if principal is None or principal.person_id is None:
            raise BadUserInput("filter.mine needs a signed-in person")
        involving_id, team_ids = principal.person_id, tuple(sorted(principal.team_ids))
    return repository.IncidentFilter(
        service_id=service_id,
        statuses=tuple(given.statuses or ()),
        severities=tuple(given.severities or ()),
        sources=tuple(given.sources or ()),
        value_streams=tuple(given.value_streams or ()),
        commander_id=commander_id,
        alert_key=given.alert_key,
        involving_id=involving_id,
        involving_team_ids=team_ids,
        breaching_before=given.breaching_before,
        breached=given.breached,
        warning=given.warning,
    )


@strawberry.type
class IncidentQuery:
    @strawberry.field(description="Incidents, newest first.")
    @paged
    async def incidents(
        self,
        info: Info,
        filter: IncidentFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Incident]:
        given = incident_filter(filter, info)
        incident = models.Incident
        return await paginate(
            info,
            repository.incidents_query(given, now=utcnow()),
            type_name="Incident",
            convert=Incident.from_model,
            order=KeysetOrder(incident.created_at, incident.id, descending=True, name="CREATED_AT"),
            request=page,
            fingerprint_parts=[repr(given)],
        )
