"""Queries of services: filtered and ordered, stale, by slug."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Select, select

from catalog.services import models, repository
from core.clock import utcnow
from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.catalog.services.inputs import ServiceFilter, ServiceOrder
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import (
    PageSource,
    RootObject,
    RootPage,
    clock_parameter,
    declare_root,
)
from graphql_schema.connection import Connection, load_selected, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.inputs import OrderDirection
from graphql_schema.node import decode_id

_SERVICE_ORDER_COLUMNS = {
    "NAME": models.Service.name,
    "SLUG": models.Service.slug,
    "TIER": models.Service.tier,
    "UPDATED_AT": models.Service.updated_at,
}


def _service_filter(given: ServiceFilter | None) -> repository.ServiceFilter:
    if given is None:
        return repository.ServiceFilter()
    try:
        owner_team_id = (
            decode_id(given.owner_team_id, "Team", field="ownerTeamId")
            if given.owner_team_id
            else None
        )
        business_unit_id = (
            decode_id(given.business_unit_id, "BusinessUnit", field="businessUnitId")
            if given.business_unit_id
            else None
        )
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None
    return repository.ServiceFilter(
        owner_team_id=owner_team_id,
        business_unit_id=business_unit_id,
        tiers=tuple(given.tiers or ()),
        lifecycles=tuple(given.lifecycles or ()),
        tag=given.tag,
        data_classifications=tuple(given.data_classifications or ()),
        compliance_regime=given.compliance_regime,
        search=given.search.strip() if given.search and given.search.strip() else None,
        include_archived=given.include_archived,
    )


def _fingerprint(service_filter: repository.ServiceFilter) -> list[Any]:
    return [repr(service_filter)]


def services_page(
    filter: ServiceFilter | None = None, order_by: ServiceOrder | None = None
) -> PageSource:
    """What `services` pages over, for its resolver and for the compiled path alike."""
    order_by = order_by or ServiceOrder()
    service_filter = _service_filter(filter)
    return PageSource(
        repository.services_query(service_filter),
        KeysetOrder(
            _SERVICE_ORDER_COLUMNS[order_by.field.value],
            models.Service.id,
            descending=order_by.direction is OrderDirection.DESC,
            name=order_by.field.value,
        ),
        "Service",
        Service.from_model,
        _fingerprint(service_filter),
    )


def stale_services_page() -> PageSource:
    return PageSource(
        repository.stale_services_query(clock_parameter(utcnow())),
        KeysetOrder(models.Service.name, models.Service.id, name="NAME"),
        "Service",
        Service.from_model,
        ["stale"],
    )


def service_by_slug(slug: str) -> Select[Any]:
    return select(models.Service).where(models.Service.slug == slug)


@strawberry.type
class ServiceQuery:
    @strawberry.field(description="Services, filtered and ordered, a keyset page at a time.")
    @paged
    async def services(
        self,
        info: Info,
        filter: ServiceFilter | None = None,
        order_by: ServiceOrder | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Service]:
        return await paginate_source(info, services_page(filter, order_by), page)

    @strawberry.field(
        description="Services whose last owner review is older than their review interval."
    )
    @paged
    async def stale_services(
        self,
        info: Info,
        *,
        page: PageRequest,
    ) -> Connection[Service]:
        return await paginate_source(info, stale_services_page(), page)

    @strawberry.field(description="A service by its slug; null when there is none.")
    async def service(self, info: Info, slug: str) -> Service | None:
        found = await load_selected(
            info,
            lambda session, options: session.scalar(service_by_slug(slug).options(*options)),
            "Service",
        )
        return Service.from_model(found) if found is not None else None


declare_root("services", RootPage(services_page))
declare_root("staleServices", RootPage(stale_services_page))
declare_root("service", RootObject("Service", service_by_slug))
