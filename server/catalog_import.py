"""`service-catalog import-catalog PATH...`: Backstage entity files and CSV, upserted by slug.

Files are read first (a directory: its `*.yaml`, `*.yml` and `*.csv` files, recursively,
in name order); then every record of every file is imported in one run, so a record may
name one from another file. One transaction: each record in its own savepoint, the audit
event at the end (a dry run's too, after its rollback).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from catalog.catalog_import.actions import MAX_CONTENT_CHARS, import_entries, read_content
from catalog.catalog_import.records import Entry, ImportFormat, ImportReport, Outcome
from core.db import make_engine, make_sessionmaker
from core.errors import DomainErrors
from core.history import set_transaction_actor
from core.settings import Settings
from identity.audit import AuditEntry, AuditOutcome, RequestFacts, record
from identity.principal import Principal, Role

ACTION = "IMPORT_CATALOG"
PRINCIPAL = Principal(
    subject="import-catalog",
    issuer="urn:service-catalog:cli",
    granted_roles=frozenset({Role.ADMIN}),
    is_machine=True,
)
SUFFIXES = {".yaml": ImportFormat.BACKSTAGE, ".yml": ImportFormat.BACKSTAGE}
SUFFIXES[".csv"] = ImportFormat.CSV


class ImportRefused(Exception):
    """A file cannot be read as a whole: nothing is imported."""


@dataclass(frozen=True)
class CatalogImportRun:
    report: ImportReport

    @property
    def exit_code(self) -> int:
        """0, or 1 when a record was refused."""
        return 1 if self.report.count(Outcome.REFUSED) else 0


def _files(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(file for file in path.rglob("*") if file.suffix.lower() in SUFFIXES)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise ImportRefused(f"{path}: no such file or directory")
    if not found:
        raise ImportRefused("no .yaml, .yml or .csv file in the paths given")
    return found


def read_entries(paths: Sequence[Path]) -> list[Entry]:
    """Every record of the files, in order; a file that cannot be read refuses the run."""
    entries: list[Entry] = []
    for file in _files(paths):
        format = SUFFIXES.get(file.suffix.lower(), ImportFormat.BACKSTAGE)
        try:
            if file.stat().st_size > MAX_CONTENT_CHARS * 4:
                raise ImportRefused(f"{file}: larger than {MAX_CONTENT_CHARS} characters")
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ImportRefused(f"{file}: cannot read it: {error}") from None
        try:
            entries.extend(read_content(format, content, source=str(file)))
        except DomainErrors as error:
            raise ImportRefused(f"{file}: {error}") from None
    return entries


async def run_catalog_import(
    settings: Settings, database_url: str, paths: Sequence[Path], *, dry_run: bool
) -> CatalogImportRun:
    entries = read_entries(paths)
    engine = make_engine(
        database_url,
        statement_timeout_ms=settings.statement_timeout_ms,
        transaction_pooler=settings.uses_transaction_pooler,
    )
    sessionmaker = make_sessionmaker(engine)
    try:
        async with sessionmaker() as session, session.begin():
            await set_transaction_actor(session, actor=PRINCIPAL.actor, request_id=None)
            try:
                report = await import_entries(
                    session, principal=PRINCIPAL, entries=entries, dry_run=dry_run
                )
            except DomainErrors as error:
                raise ImportRefused(str(error)) from None
            details = {"paths": [str(path) for path in paths], **report.audit_details()}
            entry = AuditEntry(ACTION, AuditOutcome.SUCCESS, details=details)
            await record(session, entry, principal=PRINCIPAL, facts=RequestFacts())
    finally:
        await engine.dispose()
    return CatalogImportRun(report)
