"""Queries of backlogs: items by rank, sprints, open hot fixes."""

from __future__ import annotations

import uuid

import strawberry

from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.connection import Connection, paged, paginate
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
        order_by = order_by or BacklogItemOrder()
        item_filter = _item_filter(filter)
        return await paginate(
            info,
            repository.items_query(item_filter),
            type_name="BacklogItem",
            convert=BacklogItem.from_model,
            order=KeysetOrder(
                _ORDER_COLUMNS[order_by.field],
                models.BacklogItem.id,
                descending=order_by.direction is OrderDirection.DESC,
                name=order_by.field.value,
            ),
            request=page,
            fingerprint_parts=[repr(item_filter)],
        )

    @strawberry.field(description="Sprints, newest first.")
    @paged
    async def sprints(
        self,
        info: Info,
        filter: SprintFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Sprint]:
        team_id = filter_id(filter.team_id if filter else None, "Team", "teamId")
        return await paginate(
            info,
            repository.sprints_query(team_id),
            type_name="Sprint",
            convert=Sprint.from_model,
            order=KeysetOrder(
                models.Sprint.created_at, models.Sprint.id, descending=True, name="CREATED_AT"
            ),
            request=page,
            fingerprint_parts=[str(team_id)],
        )

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
        return await paginate(
            info,
            release_repository.open_hotfixes_query(),
            type_name="BacklogItem",
            convert=BacklogItem.from_model,
            order=KeysetOrder(
                models.BacklogItem.created_at, models.BacklogItem.id, name="CREATED_AT"
            ),
            request=page,
        )
