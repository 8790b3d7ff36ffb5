"""Queries of incidents."""

from __future__ import annotations

import uuid

import strawberry

from core.clock import utcnow
from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.compiled.declarations import (
    PageSource,
    ResolversOnly,
    RootPage,
    clock_parameter,
    declare_root,
)
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.node import decode_id
from graphql_schema.work.incidents.inputs import IncidentFilter
from graphql_schema.work.incidents.types import Incident
from identity.principal import Principal
from work.incidents import models, repository


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return decode_id(value, type_name, field=field) if value else None


def incident_filter(
    given: IncidentFilter | None, principal: Principal | None
) -> repository.IncidentFilter:
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


def incidents_page(
    filter: IncidentFilter | None = None, principal: Principal | None = None
) -> PageSource:
    """What `incidents` pages over, for its resolver and for the compiled path alike."""
    given = incident_filter(filter, principal)
    incident = models.Incident
    # The clock as the bound parameter `now` (the compiled path keeps the statement's SQL).
    now = clock_parameter(utcnow())
    return PageSource(
        repository.incidents_query(given, now=now),
        KeysetOrder(incident.created_at, incident.id, descending=True, name="CREATED_AT"),
        "Incident",
        Incident.from_model,
        [repr(given)],
    )


def _compiled_incidents_page(filter: IncidentFilter | None = None) -> PageSource:
    if filter is not None and filter.mine:
        raise ResolversOnly("filter.mine reads the caller")
    return incidents_page(filter)


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
        source = incidents_page(filter, info.context.principal)
        return await paginate_source(info, source, page)


declare_root("incidents", RootPage(_compiled_incidents_page))
