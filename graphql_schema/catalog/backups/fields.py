"""The data-loss fields of `Service` and `SalesforceOrg`, which inherit them."""

from __future__ import annotations

from typing import Any

import strawberry

from core.pagination import PageRequest
from graphql_schema.catalog.backups import loaders
from graphql_schema.catalog.backups.types import (
    Backup,
    DataLossReadiness,
    OrgDataLossReadiness,
    RestoreDrill,
    backups_page,
    restore_drills_page,
)
from graphql_schema.connection import Connection, paged, paginate_source
from graphql_schema.context import Info


@strawberry.type
class ServiceDataLossFields:
    model: strawberry.Private[Any]

    @strawberry.field(
        description="Whether its business data could survive a loss (see DataLossReadiness)."
    )
    async def data_loss_readiness(self, info: Info) -> DataLossReadiness:
        return await loaders.readiness_of(info, self.model.id)


@strawberry.type
class SalesforceOrgBackupFields:
    model: strawberry.Private[Any]

    @strawberry.field(description="Its backups, the latest finished first.")
    @paged
    async def backups(self, info: Info, *, page: PageRequest) -> Connection[Backup]:
        return await paginate_source(info, backups_page(self.model.id), page)

    @strawberry.field(description="Its restore drills, the latest first.")
    @paged
    async def restore_drills(self, info: Info, *, page: PageRequest) -> Connection[RestoreDrill]:
        return await paginate_source(info, restore_drills_page(self.model.id), page)

    @strawberry.field(
        description="Its latest successful backup and restore drill, held to its own RPO (else"
        " 24 hours) and a quarter (92 days), whatever the data of its services."
    )
    async def data_loss_readiness(self, info: Info) -> OrgDataLossReadiness:
        return await loaders.org_readiness_of(info, self.model)
