"""Helpers shared by every domain's actions: version checks and constraint mapping."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError

from core.errors import Conflict, DomainError, Duplicate, Invalid, NotFound


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
