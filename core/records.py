"""Helpers shared by every domain's actions: version checks and constraint mapping."""

from __future__ import annotations

import re
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import Conflict, DomainError, Duplicate, HasDependents, Invalid, NotFound


class VersionedRecord(Protocol):
    version: int


T = TypeVar("T")


def require_found(record: T | None, *, what: str, field: str = "id") -> T:
    if record is None:
        raise NotFound(f"{what} not found", field=[field])
    return record


def check_version(record: VersionedRecord, expected: int | None) -> None:
    """Refuse an update made against an older version than the stored one."""
    if expected is not None and record.version != expected:
        raise Conflict(
            f"the record changed since you read it (version {expected}, now {record.version});"
            " reload and try again",
            field=["version"],
        )


def apply_changes(record: Any, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(record, name, value)


def constraint_error(error: IntegrityError, messages: dict[str, DomainError]) -> DomainError:
    """Map a violated constraint to the domain error registered under its name."""
    name = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
    if name is None:
        name = getattr(error.orig, "constraint_name", None)
    if name in messages:
        return messages[name]
    text = str(error.orig)
    for key, mapped in messages.items():
        if key in text:
            return mapped
    if "unique" in text.lower():
        return Duplicate("a record with these values already exists")
    return Invalid("the change breaks a rule of the catalog")


class ArchivableRecord(VersionedRecord, Protocol):
    archived_at: Any


async def archive_record(
    session: AsyncSession, record: ArchivableRecord, expected_version: int
) -> None:
    """Hide a record from lists; archiving twice changes nothing."""
    check_version(record, expected_version)
    if record.archived_at is None:
        record.archived_at = utcnow()
        await session.flush()


_REFERENCED_FROM = re.compile(r'referenced from table "([^"]+)"')
FOREIGN_KEY_VIOLATION = "23503"


def _referrer(error: IntegrityError) -> str:
    cause = getattr(error.orig, "__cause__", None)
    found = _REFERENCED_FROM.search(str(getattr(cause, "detail", "") or ""))
    table = found.group(1) if found else getattr(cause, "table_name", None) or "other"
    return table.replace("_", " ")


async def delete_record(
    session: AsyncSession, record: Any, expected_version: int, *, what: str
) -> None:
    """Delete one row, refused with HAS_DEPENDENTS while any other row references it."""
    check_version(record, expected_version)
    model = type(record)
    try:
        result = await session.execute(
            delete(model).where(model.id == record.id, model.version == expected_version)
        )
    except IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) != FOREIGN_KEY_VIOLATION:
            raise
        raise HasDependents(
            f"the {what} cannot be deleted: {_referrer(error)} records refer to it", field=["id"]
        ) from None
    if getattr(result, "rowcount", 1) == 0:
        raise Conflict(f"the {what} changed while you were deleting it", field=["version"])
    session.expunge(record)
