"""Inputs of catalog imports."""

from __future__ import annotations

import strawberry

import graphql_schema.catalog.catalog_import.enums  # noqa: F401  (registers the enums first)
from catalog.catalog_import.actions import MAX_CONTENT_CHARS, MAX_RECORDS
from catalog.catalog_import.records import ImportFormat


@strawberry.input
class ImportCatalogInput:
    format: ImportFormat
    content: str = strawberry.field(
        description=f"At most {MAX_CONTENT_CHARS} characters and {MAX_RECORDS} records."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Report what the import would do; write nothing."
    )
