"""The release fields of `Service` and `Team`, kept out of their types' modules: they inherit
them. One loader batch for every service (or team) of a response."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphql_schema.context import Info

if TYPE_CHECKING:
    from graphql_schema.catalog.orgs.types import SalesforceOrg
    from graphql_schema.work.releases.types import Release

_RELEASES = "graphql_schema.work.releases.types"
_ORGS = "graphql_schema.catalog.orgs.types"


@strawberry.type
class ServiceReleaseFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="The releases changing the service, in calendar order (by `calendarOn`;"
        " undated last)."
    )
    async def releases(self, info: Info) -> list[Annotated[Release, strawberry.lazy(_RELEASES)]]:
        from graphql_schema.work.releases.types import Release

        selections = info.selected_fields[0].selections
        found = await info.context.loaders.releases_by_service_id[selections].load(self.model.id)
        return [Release.from_model(release) for release in found or []]


@strawberry.type
class TeamReleaseFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="The releases the team runs or that change a service it owns, in calendar"
        " order (by `calendarOn`; undated last)."
    )
    async def releases(self, info: Info) -> list[Annotated[Release, strawberry.lazy(_RELEASES)]]:
        from graphql_schema.work.releases.types import Release

        selections = info.selected_fields[0].selections
        found = await info.context.loaders.releases_by_team_id[selections].load(self.model.id)
        return [Release.from_model(release) for release in found or []]


@strawberry.type(
    description="When one org gets a seasonal release, from the Trust maintenance calendar."
)
class ReleaseOrgDates:
    sandbox_preview_on: date | None = strawberry.field(
        description="The sandbox preview: a sandbox's own upgrade, or a production org's"
        " earliest sandbox's."
    )
    production_on: date | None = strawberry.field(
        description="The production upgrade: a production org's own, or a sandbox's production"
        " org's."
    )
    model: strawberry.Private[Any]

    @strawberry.field
    def org(self) -> Annotated[SalesforceOrg, strawberry.lazy(_ORGS)]:
        from graphql_schema.catalog.orgs.types import SalesforceOrg

        return SalesforceOrg.from_model(self.model.salesforce_org)


@strawberry.type
class ReleaseScheduleFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="Seasonal releases: each org's sandbox preview and production upgrade,"
        " earliest upgrade first (planned by the `salesforce-trust-calendar` job)."
    )
    async def org_schedule(self, info: Info) -> list[ReleaseOrgDates]:
        rows = await info.context.loaders.org_schedule_by_release_id.load(self.model.id)
        return [
            ReleaseOrgDates(
                sandbox_preview_on=row.sandbox_preview_on,
                production_on=row.production_on,
                model=row,
            )
            for row in rows or []
        ]
