"""Queries of SLAs: lists, and the stale ones."""

from __future__ import annotations

import strawberry

from core.clock import utcnow
from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.compiled.declarations import (
    PageSource,
    RootPage,
    clock_parameter,
    declare_root,
)
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.node import decode_id
from graphql_schema.service_levels.slas.inputs import SlaFilter
from graphql_schema.service_levels.slas.types import Sla
from service_levels import models, repository

ORDER = KeysetOrder(models.Sla.name, models.Sla.id, name="NAME")


def slas_page(filter: SlaFilter | None = None) -> PageSource:
    """What `slas` pages over, for its resolver and for the compiled path alike."""
    given = filter or SlaFilter()
    try:
        service_id = (
            decode_id(given.service_id, "Service", field="serviceId") if given.service_id else None
        )
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None
    return PageSource(
        repository.slas_query(service_id=service_id, include_archived=given.include_archived),
        ORDER,
        "Sla",
        Sla.from_model,
        [str(service_id), given.include_archived],
    )


def stale_slas_page() -> PageSource:
    # The clock as the bound parameter `now` (the compiled path keeps the statement's SQL).
    return PageSource(
        repository.stale_slas_query(clock_parameter(utcnow())),
        ORDER,
        "Sla",
        Sla.from_model,
        ["stale"],
    )


@strawberry.type
class SlaQuery:
    @strawberry.field(description="SLAs by name; archived ones only when asked.")
    @paged
    async def slas(
        self,
        info: Info,
        filter: SlaFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Sla]:
        return await paginate_source(info, slas_page(filter), page)

    @strawberry.field(description="SLAs whose last owner review is older than their interval.")
    @paged
    async def stale_slas(
        self,
        info: Info,
        *,
        page: PageRequest,
    ) -> Connection[Sla]:
        return await paginate_source(info, stale_slas_page(), page)


declare_root("slas", RootPage(slas_page))
declare_root("staleSlas", RootPage(stale_slas_page))
