"""Payloads of catalog imports."""

from __future__ import annotations

import strawberry

from graphql_schema.catalog.catalog_import.types import CatalogImportReport
from graphql_schema.errors import UserError


@strawberry.type(
    description="The report (null when the content as a whole was refused: userErrors say why)."
)
class ImportCatalogPayload:
    report: CatalogImportReport | None
    user_errors: list[UserError]
