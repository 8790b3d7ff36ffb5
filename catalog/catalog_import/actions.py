"""Importing an existing catalog: every record in its own savepoint, in two passes.

The first pass upserts the records kind by kind (business units, teams, shared resources,
services, people's memberships), so a record may name one later in the same content; the
second adds the services' dependencies. A service whose dependency turns out dangling after
its own record was written is refused, and the whole run is replayed without it: one
refusal never leaves half a record behind. A dry run does all of it and rolls it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from catalog.catalog_import.apply import APPLY, Applied, apply_dependencies
from catalog.catalog_import.backstage import parse_files
from catalog.catalog_import.csv_rows import parse_csv
from catalog.catalog_import.records import (
    PASS_ORDER,
    Entry,
    ImportFormat,
    ImportReport,
    Outcome,
    RecordReport,
    Target,
)
from catalog.orgs.actions import UNIQUE_KEYS as ORG_KEYS
from catalog.services.actions import UNIQUE_KEYS as SERVICE_KEYS
from core.errors import DomainError, DomainErrors, Required, TooLong
from core.records import constraint_error
from identity.actions import UNIQUE_KEYS as IDENTITY_KEYS
from identity.permissions import require_admin
from identity.principal import Principal

MAX_CONTENT_CHARS = 1_000_000
MAX_RECORDS = 2_000
UNIQUE_KEYS = {**SERVICE_KEYS, **ORG_KEYS, **IDENTITY_KEYS}
REFUSABLE = (DomainError, DomainErrors, IntegrityError, StaleDataError)


def read_content(format: ImportFormat, content: str, *, source: str = "content") -> list[Entry]:
    """The entries of one content; a malformed whole (size, CSV header) raises DomainErrors."""
    if not content.strip():
        raise DomainErrors([Required("content is empty", field=["content"])])
    if len(content) > MAX_CONTENT_CHARS:
        raise DomainErrors(
            [TooLong(f"content is at most {MAX_CONTENT_CHARS} characters", field=["content"])]
        )
    if format is ImportFormat.CSV:
        return parse_csv(content, source=source if source != "content" else "")
    return parse_files([(source, content)])


async def import_catalog(
    session: AsyncSession,
    *,
    principal: Principal,
    format: ImportFormat,
    content: str,
    dry_run: bool = False,
) -> ImportReport:
    """Upsert Backstage entities or CSV rows by slug; report each record (ADMIN)."""
    require_admin(principal, action="importing a catalog")
    entries = read_content(ImportFormat(format), content)
    return await import_entries(session, principal=principal, entries=entries, dry_run=dry_run)


def _names(entries: Sequence[Entry], target: Target) -> dict[str, str]:
    """Entity name → the catalog name (a title) of the import's entries of `target`."""
    return {
        entry.name: entry.fields["name"]
        for entry in entries
        if entry.target is target and entry.problem is None
    }


def _resolve_names(entries: Sequence[Entry]) -> None:
    """A team's spec.parent naming a business-unit Group of the import: that unit's name;
    a dependency on a Resource or API of the import: that shared resource's name."""
    units = _names(entries, Target.BUSINESS_UNIT)
    resources = _names(entries, Target.SHARED_RESOURCE)
    for entry in entries:
        if entry.target is Target.TEAM and entry.business_unit is None and entry.note:
            entry.business_unit = units.get(entry.note)
        entry.depends_on = [
            replace(ref, name=resources.get(ref.name, ref.name))
            if ref.target is Target.SHARED_RESOURCE
            else ref
            for ref in entry.depends_on
        ]


async def import_entries(
    session: AsyncSession,
    *,
    principal: Principal,
    entries: Sequence[Entry],
    dry_run: bool = False,
) -> ImportReport:
    """Import parsed entries (every format and file of a run together)."""
    require_admin(principal, action="importing a catalog")
    if len(entries) > MAX_RECORDS:
        raise DomainErrors(
            [TooLong(f"an import holds at most {MAX_RECORDS} records", field=["content"])]
        )
    _resolve_names(entries)
    refused = {index: entry.problem for index, entry in enumerate(entries) if entry.problem}
    while True:
        run = await session.begin_nested()
        try:
            reports, late = await _passes(session, principal, entries, refused)
        except BaseException:
            await run.rollback()
            raise
        if late:  # written in the first pass, then refused: replay without them
            await run.rollback()
            refused.update(late)
            continue
        if dry_run:
            await run.rollback()
        else:
            await run.commit()
        return ImportReport(tuple(reports), dry_run)


def reason_of(error: Exception) -> str:
    if isinstance(error, DomainErrors):
        return "; ".join(item.message for item in error.errors)
    if isinstance(error, StaleDataError):
        return "the record changed meanwhile; run the import again"
    if isinstance(error, IntegrityError):
        return constraint_error(error, UNIQUE_KEYS).message
    assert isinstance(error, DomainError)
    return error.message


async def _passes(
    session: AsyncSession,
    principal: Principal,
    entries: Sequence[Entry],
    refused: dict[int, str],
) -> tuple[list[RecordReport], dict[int, str]]:
    results: dict[int, RecordReport] = {
        index: _report(entries[index], Applied(Outcome.REFUSED, reason=reason))
        for index, reason in refused.items()
    }
    for target in PASS_ORDER:
        for index, entry in enumerate(entries):
            if entry.target is target and index not in refused:
                results[index] = await _first_pass(session, principal, entry)
    late: dict[int, str] = {}
    for index, entry in enumerate(entries):
        result = results[index]
        if entry.target is not Target.SERVICE or result.outcome is Outcome.REFUSED:
            continue
        if not entry.depends_on:
            continue
        savepoint = await session.begin_nested()
        try:
            added = await apply_dependencies(session, principal, entry)
            await session.flush()
        except REFUSABLE as error:
            await savepoint.rollback()
            if result.outcome is Outcome.UNCHANGED:
                results[index] = _report(entry, Applied(Outcome.REFUSED, reason=reason_of(error)))
            else:
                late[index] = reason_of(error)
            continue
        await savepoint.commit()
        if added:
            outcome = Outcome.CREATED if result.outcome is Outcome.CREATED else Outcome.UPDATED
            changed = result.changed_fields if outcome is Outcome.CREATED else (
                *result.changed_fields, "dependencies"
            )  # fmt: skip
            results[index] = _report(entry, Applied(outcome, changed))
    return [results[index] for index in range(len(entries))], late


async def _first_pass(session: AsyncSession, principal: Principal, entry: Entry) -> RecordReport:
    assert entry.target is not None
    savepoint = await session.begin_nested()
    try:
        applied = await APPLY[entry.target](session, principal, entry)
        await session.flush()
    except REFUSABLE as error:
        await savepoint.rollback()
        return _report(entry, Applied(Outcome.REFUSED, reason=reason_of(error)))
    await savepoint.commit()
    return _report(entry, applied)


def _report(entry: Entry, applied: Applied) -> RecordReport:
    return RecordReport(
        source=entry.source,
        kind=entry.kind,
        name=entry.name,
        outcome=applied.outcome,
        reason=applied.reason,
        changed_fields=applied.changed,
    )
