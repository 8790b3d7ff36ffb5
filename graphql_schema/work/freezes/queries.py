"""`freezeWindows`: the freeze windows of a stretch of time, earliest first."""

from __future__ import annotations

import uuid

import strawberry

from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.compiled.declarations import PageSource, RootPage, declare_root
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.work.backlog.queries import filter_id
from graphql_schema.work.freezes.inputs import FreezeWindowFilter
from graphql_schema.work.freezes.types import FreezeWindow
from work.releases import freeze_repository, models
from work.releases.calendar import check_range


def filter_ids(
    values: list[strawberry.ID] | None, type_name: str, field: str
) -> tuple[uuid.UUID, ...]:
    """A filter's list of global ids, or BAD_USER_INPUT naming the field."""
    decoded = (filter_id(value, type_name, field) for value in values or ())
    return tuple(key for key in decoded if key is not None)


def _freeze_filter(given: FreezeWindowFilter | None) -> freeze_repository.FreezeFilter:
    if given is None:
        return freeze_repository.FreezeFilter()
    for name, moment in (("from", given.from_), ("to", given.to)):
        if moment is not None and moment.tzinfo is None:
            raise BadUserInput(f"filter.{name} needs a UTC offset")
    try:
        check_range(given.from_, given.to)
    except DomainError as error:
        raise BadUserInput(f"filter: {error.message}") from None
    return freeze_repository.FreezeFilter(
        starts=given.from_,
        ends=given.to,
        service_ids=filter_ids(given.service_ids, "Service", "serviceIds"),
        team_ids=filter_ids(given.team_ids, "Team", "teamIds"),
        scopes=tuple(given.scopes or ()),
    )


def freeze_windows_page(filter: FreezeWindowFilter | None = None) -> PageSource:
    """What `freezeWindows` pages over, for its resolver and for the compiled path alike."""
    freeze_filter = _freeze_filter(filter)
    return PageSource(
        freeze_repository.freeze_windows_query(freeze_filter),
        KeysetOrder(models.FreezeWindow.starts_at, models.FreezeWindow.id, name="STARTS_AT"),
        "FreezeWindow",
        FreezeWindow.from_model,
        [repr(freeze_filter)],
    )


@strawberry.type
class FreezeWindowQuery:
    @strawberry.field(description="Freeze windows, earliest start first.")
    @paged
    async def freeze_windows(
        self,
        info: Info,
        filter: FreezeWindowFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[FreezeWindow]:
        return await paginate_source(info, freeze_windows_page(filter), page)


declare_root("freezeWindows", RootPage(freeze_windows_page))
