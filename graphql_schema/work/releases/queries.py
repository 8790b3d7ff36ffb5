"""Queries of releases: the list, and the services not ready for a seasonal one."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.catalog.services.types import Service
from graphql_schema.compiled.declarations import PageSource, RootPage, declare_root
from graphql_schema.connection import Connection, load_selected, paged, paginate_source
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput
from graphql_schema.node import decode_id
from graphql_schema.work.backlog.queries import filter_id
from graphql_schema.work.freezes.queries import filter_ids
from graphql_schema.work.releases.inputs import ReleaseFilter
from graphql_schema.work.releases.types import Release
from work.releases import models, repository
from work.releases.calendar import check_range


def _release_filter(given: ReleaseFilter | None) -> repository.ReleaseFilter:
    if given is None:
        return repository.ReleaseFilter()
    try:
        check_range(given.from_, given.to)
    except DomainError as error:
        raise BadUserInput(f"filter: {error.message}") from None
    return repository.ReleaseFilter(
        owner_team_id=filter_id(given.owner_team_id, "Team", "ownerTeamId"),
        service_id=filter_id(given.service_id, "Service", "serviceId"),
        kinds=tuple(given.kinds or ()),
        statuses=tuple(given.statuses or ()),
        from_day=given.from_,
        to_day=given.to,
        service_ids=filter_ids(given.service_ids, "Service", "serviceIds"),
        team_ids=filter_ids(given.team_ids, "Team", "teamIds"),
    )


def releases_page(filter: ReleaseFilter | None = None) -> PageSource:
    """What `releases` pages over, for its resolver and for the compiled path alike."""
    release_filter = _release_filter(filter)
    return PageSource(
        repository.releases_query(release_filter),
        KeysetOrder(
            models.Release.created_at, models.Release.id, descending=True, name="CREATED_AT"
        ),
        "Release",
        Release.from_model,
        [repr(release_filter)],
    )


@strawberry.type
class ReleaseQuery:
    @strawberry.field(description="Releases, newest first.")
    @paged
    async def releases(
        self,
        info: Info,
        filter: ReleaseFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Release]:
        return await paginate_source(info, releases_page(filter), page)

    @strawberry.field(
        description="The services of a seasonal release without an assessment saying ready,"
        " by name."
    )
    async def services_not_ready_for(self, info: Info, release: strawberry.ID) -> list[Service]:
        try:
            release_id = decode_id(release, "Release", field="release")
        except DomainError as error:
            raise BadUserInput(error.message) from None

        async def load(session: AsyncSession, options: Sequence[ORMOption]) -> list[Service]:
            statement = repository.services_not_ready_query(release_id).options(*options)
            return [Service.from_model(row) for row in await session.scalars(statement)]

        found: list[Service] = await load_selected(info, load, "Service")
        return found


declare_root("releases", RootPage(releases_page))
