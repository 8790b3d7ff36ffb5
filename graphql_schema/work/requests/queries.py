"""Queries of service requests."""

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
from graphql_schema.work.requests.inputs import ServiceRequestFilter
from graphql_schema.work.requests.types import ServiceRequest
from work.requests import models, repository


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return decode_id(value, type_name, field=field) if value else None


def request_filter(given: ServiceRequestFilter | None, info: Info) -> repository.RequestFilter:
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
        principal = info.context.principal
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
        given = request_filter(filter, info)
        request = models.ServiceRequest
        return await paginate(
            info,
            repository.requests_query(given, now=utcnow()),
            type_name="ServiceRequest",
            convert=ServiceRequest.from_model,
            order=KeysetOrder(request.created_at, request.id, descending=True, name="CREATED_AT"),
            request=page,
            fingerprint_parts=[repr(given)],
        )
