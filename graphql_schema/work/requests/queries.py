"""Queries of service requests."""

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
from graphql_schema.work.requests.inputs import ServiceRequestFilter
from graphql_schema.work.requests.types import ServiceRequest
from identity.principal import Principal
from work.requests import models, repository


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return decode_id(value, type_name, field=field) if value else None


def request_filter(
    given: ServiceRequestFilter | None, principal: Principal | None
) -> repository.RequestFilter:
    if given is None:
        return repository.RequestFilter()
    try:
        service_id = _optional_id(given.service_id, "Service", "serviceId")
        assignee_id = _optional_id(given.assignee_id, "Person", "assigneeId")
        requester_id = _optional_id(given.requester_id, "Person", "requesterId")
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None
    involving_id = None
    if given.mine:
        if principal is None or principal.person_id is None:
            raise BadUserInput("filter.mine needs a signed-in person")
        involving_id = principal.person_id
    return repository.RequestFilter(
        service_id=service_id,
        statuses=tuple(given.statuses or ()),
        priorities=tuple(given.priorities or ()),
        kinds=tuple(given.kinds or ()),
        support_tiers=tuple(given.support_tiers or ()),
        value_streams=tuple(given.value_streams or ()),
        assignee_id=assignee_id,
        requester_id=requester_id,
        involving_id=involving_id,
        breaching_before=given.breaching_before,
        breached=given.breached,
        warning=given.warning,
    )


def service_requests_page(
    filter: ServiceRequestFilter | None = None, principal: Principal | None = None
) -> PageSource:
    """What `serviceRequests` pages over, for its resolver and for the compiled path alike."""
    given = request_filter(filter, principal)
    request = models.ServiceRequest
    # The clock as the bound parameter `now` (the compiled path keeps the statement's SQL).
    now = clock_parameter(utcnow())
    return PageSource(
        repository.requests_query(given, now=now),
        KeysetOrder(request.created_at, request.id, descending=True, name="CREATED_AT"),
        "ServiceRequest",
        ServiceRequest.from_model,
        [repr(given)],
    )


def _compiled_requests_page(filter: ServiceRequestFilter | None = None) -> PageSource:
    if filter is not None and filter.mine:
        raise ResolversOnly("filter.mine reads the caller")
    return service_requests_page(filter)


@strawberry.type
class ServiceRequestQuery:
    @strawberry.field(description="Service requests, newest first.")
    @paged
    async def service_requests(
        self,
        info: Info,
        filter: ServiceRequestFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[ServiceRequest]:
        source = service_requests_page(filter, info.context.principal)
        return await paginate_source(info, source, page)


declare_root("serviceRequests", RootPage(_compiled_requests_page))
