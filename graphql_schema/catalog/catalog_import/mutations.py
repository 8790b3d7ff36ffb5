"""Mutations of catalog imports."""

from __future__ import annotations

import strawberry

from catalog.catalog_import import actions
from catalog.catalog_import.records import ImportReport
from graphql_schema.catalog.catalog_import.inputs import ImportCatalogInput
from graphql_schema.catalog.catalog_import.payloads import ImportCatalogPayload
from graphql_schema.catalog.catalog_import.types import CatalogImportReport
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.mutation_runner import Arguments, CustomPayload, mutation
from identity.principal import Role


async def _imported(
    info: Info, input: ImportCatalogInput, report: ImportReport | None, errors: list[UserError]
) -> ImportCatalogPayload:
    converted = CatalogImportReport.from_report(report) if report is not None else None
    return ImportCatalogPayload(report=converted, user_errors=errors)


@strawberry.type
class CatalogImportMutation:
    @mutation(
        "Import services, teams, business units and shared resources from Backstage entity"
        " YAML or CSV (ADMIN), upserted by slug: a record is created, updated (only what"
        " differs, in its history), left unchanged, refused with its reason (nothing of it"
        " written) or skipped. The same as `service-catalog import-catalog`.",
        permission=Role.ADMIN,
        action=actions.import_catalog,
        payload=CustomPayload(ImportCatalogPayload, _imported),
    )
    def import_catalog(self, input: ImportCatalogInput) -> Arguments:
        return {"format": input.format, "content": input.content, "dry_run": input.dry_run}
