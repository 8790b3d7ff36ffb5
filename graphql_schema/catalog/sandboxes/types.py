"""Sandboxes and scratch orgs as GraphQL sees them: the snapshot the `salesforce-sandboxes`
job keeps, never read live."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from catalog.sandboxes import models
from graphql_schema.context import Info

if TYPE_CHECKING:
    from graphql_schema.catalog.orgs.types import SalesforceOrg

SNAPSHOT = " As the last `salesforce-sandboxes` sync read it."
# Lazy: SalesforceOrg lists sandboxes itself.
Org = Annotated["SalesforceOrg", strawberry.lazy("graphql_schema.catalog.orgs.types")]


async def _org(info: Info, org_id: uuid.UUID | None) -> SalesforceOrg | None:
    from graphql_schema.catalog.orgs.types import SalesforceOrg

    if org_id is None:
        return None
    org = await info.context.loaders.orgs_by_id.load(org_id)
    return SalesforceOrg.from_model(org) if org is not None else None


@strawberry.type(
    description="A sandbox of a production org (SandboxInfo, SandboxProcess)." + SNAPSHOT
)
class Sandbox:
    name: str
    licence_type: str | None = strawberry.field(
        description="DEVELOPER, DEVELOPER_PRO, PARTIAL or FULL."
    )
    org_id: str | None = strawberry.field(
        description="The sandbox org's 18-character id, once it has been copied."
    )
    status: str | None = strawberry.field(
        description="Status of its latest copy process (Completed, Processing, …)."
    )
    created_at: datetime | None = strawberry.field(description="When it was first made.")
    last_refreshed_at: datetime | None = strawberry.field(
        description="When its latest completed copy (creation or refresh) ended."
    )
    source: str | None = strawberry.field(
        description="The sandbox it was cloned from; null when copied from production."
    )
    synced_at: datetime
    model: strawberry.Private[models.SandboxSnapshot]

    @classmethod
    def from_model(cls, row: models.SandboxSnapshot) -> Sandbox:
        return cls(
            name=row.name,
            licence_type=row.licence_type,
            org_id=row.sandbox_org_id,
            status=row.status,
            created_at=row.sandbox_created_at,
            last_refreshed_at=row.last_refreshed_at,
            source=row.source_name,
            synced_at=row.synced_at,
            model=row,
        )

    @strawberry.field(description="The production org it is a sandbox of.")
    async def production_org(self, info: Info) -> Org | None:
        return await _org(info, self.model.production_org_id)

    @strawberry.field(
        description="The catalog's org for this sandbox (same org id, else same name under"
        " the production org); null when it is not registered."
    )
    async def registered_org(self, info: Info) -> Org | None:
        return await _org(info, self.model.registered_org_id)


@strawberry.type(description="A scratch org a Dev Hub org signed up (ScratchOrgInfo)." + SNAPSHOT)
class ScratchOrg:
    name: str | None
    username: str | None = strawberry.field(description="Its admin user (SignupUsername).")
    org_id: str | None = strawberry.field(description="The scratch org's 18-character id.")
    status: str | None = strawberry.field(description="New, Creating, Active or Error.")
    expires_on: date | None
    created_at: datetime | None
    created_by: str | None = strawberry.field(
        description="Username of the Dev Hub user who made it."
    )
    created_by_email: str | None = strawberry.field(
        description="That user's email: a person with this email owns it, with their teams."
    )
    synced_at: datetime
    model: strawberry.Private[models.ScratchOrgSnapshot]

    @classmethod
    def from_model(cls, row: models.ScratchOrgSnapshot) -> ScratchOrg:
        return cls(
            name=row.name,
            username=row.username,
            org_id=row.scratch_org_id,
            status=row.status,
            expires_on=row.expires_on,
            created_at=row.scratch_created_at,
            created_by=row.created_by_username,
            created_by_email=row.created_by_email,
            synced_at=row.synced_at,
            model=row,
        )

    @strawberry.field(description="The Dev Hub org that signed it up.")
    async def dev_hub(self, info: Info) -> Org | None:
        return await _org(info, self.model.dev_hub_org_id)

    @strawberry.field(description="The catalog's org with its org id; null when not registered.")
    async def registered_org(self, info: Info) -> Org | None:
        return await _org(info, self.model.registered_org_id)
