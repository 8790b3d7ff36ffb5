"""Types of catalog imports: the report, one line per record."""

from __future__ import annotations

import strawberry

import graphql_schema.catalog.catalog_import.enums  # noqa: F401  (registers the enums first)
from catalog.catalog_import.records import ImportReport, Outcome, RecordReport


@strawberry.type(description="One record of the content and what the import did with it.")
class CatalogImportRecord:
    source: str = strawberry.field(description="`content#2` (the second YAML document), `line 3`.")
    kind: str = strawberry.field(description="The Backstage kind, or CSV.")
    name: str
    outcome: Outcome
    reason: str | None = strawberry.field(description="Why it was refused or skipped.")
    changed_fields: list[str] = strawberry.field(description="What an update changed.")

    @classmethod
    def from_report(cls, record: RecordReport) -> CatalogImportRecord:
        return cls(
            source=record.source,
            kind=record.kind,
            name=record.name,
            outcome=record.outcome,
            reason=record.reason,
            changed_fields=list(record.changed_fields),
        )


@strawberry.type
class CatalogImportReport:
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    refused: int
    skipped: int
    records: list[CatalogImportRecord]

    @classmethod
    def from_report(cls, report: ImportReport) -> CatalogImportReport:
        return cls(
            dry_run=report.dry_run,
            created=report.count(Outcome.CREATED),
            updated=report.count(Outcome.UPDATED),
            unchanged=report.count(Outcome.UNCHANGED),
            refused=report.count(Outcome.REFUSED),
            skipped=report.count(Outcome.SKIPPED),
            records=[CatalogImportRecord.from_report(record) for record in report.records],
        )
