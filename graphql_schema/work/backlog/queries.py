"""Queries of backlogs: items by rank, sprints, open hot fixes."""

from __future__ import annotations

import uuid

import strawberry

from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.compiled.declarations import PageSource, RootPage, declare_root
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.inputs import OrderDirection
from graphql_schema.node import decode_id
from graphql_schema.work.backlog.inputs import (
    BacklogItemFilter,
    BacklogItemOrder,
    BacklogItemOrderField,
    SprintFilter,
)
from graphql_schema.work.backlog.types import BacklogItem, Sprint
from work.backlog import models, repository
from work.releases import repository as release_repository

_ORDER_COLUMNS = {
    BacklogItemOrderField.RANK: models.BacklogItem.rank,
    BacklogItemOrderField.CREATED_AT: models.BacklogItem.created_at,
}


def filter_id(value: str | None, type_name: str, field: str) -> uuid.UUID | None:
    """A filter's global id, or BAD_USER_INPUT naming the field."""
    if value is None:
        return None
    try:
        return decode_id(value, type_name, field=field)
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None


def _item_filter(given: BacklogItemFilter | None) -> repository.ItemFilter:
    if given is None:
        return repository.ItemFilter()
    return repository.ItemFilter(
        team_id=filter_id(given.team_id, "Team", "teamId"),
        service_id=filter_id(given.service_id, "Service", "serviceId"),
        sprint_id=filter_id(given.sprint_id, "Sprint", "sprintId"),
        release_id=filter_id(given.release_id, "Release", "releaseId"),
        statuses=tuple(given.statuses or ()),
        types=tuple(given.types or ()),
    )


def backlog_items_page(
    filter: BacklogItemFilter | None = None, order_by: BacklogItemOrder | None = None
) -> PageSource:
    """What `backlogItems` pages over, for its resolver and for the compiled path alike."""
    order_by = order_by or BacklogItemOrder()
    item_filter = _item_filter(filter)
    return PageSource(
        repository.items_query(item_filter),
        KeysetOrder(
            _ORDER_COLUMNS[order_by.field],
            models.BacklogItem.id,
            descending=order_by.direction is OrderDirection.DESC,
            name=order_by.field.value,
        ),
        "BacklogItem",
        BacklogItem.from_model,
        [repr(item_filter)],
    )


def sprints_page(filter: SprintFilter | None = None) -> PageSource:
    """What `sprints` pages over, for its resolver and for the compiled path alike."""
    team_id = filter_id(filter.team_id if filter else None, "Team", "teamId")
    return PageSource(
        repository.sprints_query(team_id),
        KeysetOrder(models.Sprint.created_at, models.Sprint.id, descending=True, name="CREATED_AT"),
        "Sprint",
        Sprint.from_model,
        [str(team_id)],
    )


def open_hotfixes_page() -> PageSource:
    """What `openHotfixes` pages over, for its resolver and for the compiled path alike."""
    return PageSource(
        release_repository.open_hotfixes_query(),
        KeysetOrder(models.BacklogItem.created_at, models.BacklogItem.id, name="CREATED_AT"),
        "BacklogItem",
        BacklogItem.from_model,
    )


@strawberry.type
class BacklogQuery:
    @strawberry.field(description="Backlog items, by rank (lowest first) unless ordered otherwise.")
    @paged
    async def backlog_items(
        self,
        info: Info,
        filter: BacklogItemFilter | None = None,
        order_by: BacklogItemOrder | None = None,
        *,
        page: PageRequest,
    ) -> Connection[BacklogItem]:
        return await paginate_source(info, backlog_items_page(filter, order_by), page)

    @strawberry.field(description="Sprints, newest first.")
    @paged
    async def sprints(
        self,
        info: Info,
        filter: SprintFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Sprint]:
        return await paginate_source(info, sprints_page(filter), page)

    @strawberry.field(
        description="Hot fixes and vulnerabilities not declined that some affected org has not"
        " received yet, oldest first."
    )
    @paged
    async def open_hotfixes(
        self,
        info: Info,
        *,
        page: PageRequest,
    ) -> Connection[BacklogItem]:
        return await paginate_source(info, open_hotfixes_page(), page)


declare_root("backlogItems", RootPage(backlog_items_page))
declare_root("sprints", RootPage(sprints_page))
declare_root("openHotfixes", RootPage(open_hotfixes_page))
