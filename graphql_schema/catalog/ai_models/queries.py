"""Queries of the AI-model register: the filtered list, and the stale one."""

from __future__ import annotations

import strawberry

from catalog.ai_models import repository
from catalog.ai_models.models import AIModel as AIModelModel
from core.clock import utcnow
from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.catalog.ai_models.inputs import AIModelFilter
from graphql_schema.catalog.ai_models.types import AIModel
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

ORDER = KeysetOrder(AIModelModel.name, AIModelModel.id, name="NAME")


def ai_models_page(filter: AIModelFilter | None = None) -> PageSource:
    """What `aiModels` pages over: models of live services, by name."""
    given = filter or AIModelFilter()
    try:
        service_id = (
            decode_id(given.service_id, "Service", field="serviceId") if given.service_id else None
        )
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None
    return PageSource(
        repository.models_query(
            now=clock_parameter(utcnow()),
            service_id=service_id,
            status=given.status,
            attention_only=given.attention,
        ),
        ORDER,
        "AIModel",
        AIModel.from_model,
        [str(service_id), given.status, given.attention],
    )


def stale_ai_models_page() -> PageSource:
    # The clock as the bound parameter `now` (the compiled path keeps the statement's SQL).
    return PageSource(
        repository.stale_models_query(clock_parameter(utcnow())),
        ORDER,
        "AIModel",
        AIModel.from_model,
        ["stale"],
    )


@strawberry.type
class AIModelQuery:
    @strawberry.field(description="AI models of live services, by name.")
    @paged
    async def ai_models(
        self,
        info: Info,
        filter: AIModelFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[AIModel]:
        return await paginate_source(info, ai_models_page(filter), page)

    @strawberry.field(
        name="staleAIModels",
        description="AI models (not RETIRED) of live services whose last owner review is"
        " older than their interval, by name.",
    )
    @paged
    async def stale_ai_models(
        self,
        info: Info,
        *,
        page: PageRequest,
    ) -> Connection[AIModel]:
        return await paginate_source(info, stale_ai_models_page(), page)


declare_root("aiModels", RootPage(ai_models_page))
declare_root("staleAIModels", RootPage(stale_ai_models_page))
