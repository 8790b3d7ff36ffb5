"""Importing measurements from CSV or JSON: every row checked, then all stored or none.

CSV has the header `metric,service,at,value[,note]`; JSON is a list of objects with the
same keys. `service` is a slug or a global id. Any bad row refuses the whole import and
every row's errors are listed, each naming its field (`["rows", "3", "value"]`, rows
counted from 0 after the header) and, in CSV, beginning with the line it is on
(`line 5: …`, the header being line 1); a good import is one upsert statement.
A control character (NUL…) or a bare carriage return refuses the content, naming its line.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions as services
from catalog.services.models import Service
from core import row_import
from core.clock import utcnow
from core.errors import AccessDenied, DomainError, DomainErrors, Invalid, NotFound, Required
from core.ids import GlobalId, MalformedGlobalId
from core.repository import get_by_ids
from core.row_import import RawRow, RowFormat, RowShape, located, number_value
from core.text import escaped
from identity.principal import Principal
from service_levels import measurement_repository as repository
from service_levels.measurement_repository import MeasurementRow
from service_levels.measurements import Reading, reading_errors, require_recorder, row_of
from service_levels.models import MeasurementSource

MAX_ROWS = row_import.MAX_ROWS
REQUIRED_KEYS = ("metric", "service", "at", "value")
KEYS = frozenset({*REQUIRED_KEYS, "note"})
SHAPE = RowShape(REQUIRED_KEYS, ("note",))


class ImportFormat(StrEnum):
    CSV = "CSV"
    JSON = "JSON"


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def parse(format: ImportFormat, content: str) -> list[RawRow]:
    """The rows of the content, unchecked; a malformed whole is refused."""
    return row_import.parse(RowFormat(format.value), content, SHAPE)


@dataclass
class _Row:
    """One row being checked: what it says, and what is wrong with it so far."""

    where: list[str]
    line: int | None = None
    service_ref: str | uuid.UUID | None = None
    reading: Reading | None = None  # set only when the reading itself is sound
    service: Service | None = None

    @property
    def label(self) -> str:
        return f"line {self.line}" if self.line is not None else f"row {self.where[-1]}"

    def located(self, error: DomainError) -> DomainError:
        """The error, its message starting with the CSV line it is on."""
        return located(error, self.line)


def _text(raw: dict[str, Any], key: str, where: list[str]) -> Any:
    return row_import.text_value(raw, key, where)


def _metric(value: Any, where: list[str]) -> str:
    if not value:
        raise Required("metric is required", field=[*where, "metric"])
    return str(value)


def _service_ref(value: Any, where: list[str]) -> str | uuid.UUID:
    if not isinstance(value, str) or not value:
        raise Required("service is a slug or a global id", field=[*where, "service"])
    try:
        decoded = GlobalId.decode(value)
    except MalformedGlobalId:
        return value
    if decoded.type_name != "Service":
        raise NotFound("no such service", field=[*where, "service"])
    return decoded.id


def _at(value: Any, where: list[str]) -> datetime:
    if not isinstance(value, str) or not value:
        raise Required("at is an ISO 8601 time with an offset", field=[*where, "at"])
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"at {value!r} is not an ISO 8601 time", field=[*where, "at"]) from None


def _value(value: Any, where: list[str]) -> float:
    return number_value(value, "value", where)


def _note(value: Any, where: list[str]) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Invalid("note must be text", field=[*where, "note"])


def _read_row(index: int, raw: RawRow, errors: list[DomainError]) -> _Row:
    row = _Row(where=["rows", str(index)], line=raw.line)
    found: list[DomainError] = []
    _read_fields(row, raw.fields, found)
    errors.extend(row.located(error) for error in found)
    return row


def _read_fields(row: _Row, raw: dict[Any, Any], errors: list[DomainError]) -> None:
    if None in raw:  # extra CSV fields, or a JSON item that is no object
        errors.append(
            Invalid("the row does not match metric,service,at,value[,note]", field=row.where)
        )
        return
    unknown = sorted(escaped(str(key)) for key in raw if key not in KEYS)
    if unknown:
        message = f"unknown {', '.join(unknown)}; a row has {', '.join(sorted(KEYS))}"
        errors.append(Invalid(message, field=row.where))
        return
    parts: dict[str, Any] = {}
    readers = (
        ("service", _service_ref),
        ("at", _at),
        ("value", _value),
        ("note", _note),
        ("metric", _metric),
    )
    for key, read in readers:
        try:
            parts[key] = read(_text(raw, key, row.where), row.where)
        except DomainError as error:
            errors.append(error)
    row.service_ref = parts.get("service")
    if {"metric", "at", "value"} <= parts.keys():
        reading = Reading(parts["metric"], parts["at"], parts["value"], parts.get("note"))
        wrong = reading_errors(reading, now=utcnow(), where=row.where)
        errors.extend(wrong)
        row.reading = None if wrong else reading


async def _resolve_services(session: AsyncSession, rows: Sequence[_Row]) -> None:
    """Each row's live service, by slug or id: two statements for the whole import."""
    slugs = [row.service_ref for row in rows if isinstance(row.service_ref, str)]
    ids = [row.service_ref for row in rows if isinstance(row.service_ref, uuid.UUID)]
    by_slug = await services.services_by_slugs(session, slugs)
    by_id = await get_by_ids(session, Service, list(set(ids)))
    for row in rows:
        ref = row.service_ref
        found = by_slug.get(ref) if isinstance(ref, str) else by_id.get(ref) if ref else None
        row.service = found if found is not None and found.archived_at is None else None


def _require_recorder(principal: Principal, rows: Sequence[_Row]) -> None:
    """Refuse the whole import when it names a service the caller may not record for."""
    refused: set[str] = set()
    for service in {row.service.id: row.service for row in rows if row.service}.values():
        try:
            require_recorder(principal, service)
        except AccessDenied:
            refused.add(service.slug)
    if refused:
        raise AccessDenied(
            "recording measurements is reserved to the owner team; not yours: "
            + ", ".join(sorted(refused))
        )


def _checked_rows(rows: Sequence[_Row], errors: list[DomainError]) -> list[MeasurementRow]:
    seen: dict[tuple[Any, ...], _Row] = {}
    checked: list[MeasurementRow] = []
    for row in rows:
        if row.service_ref is not None and row.service is None:
            missing = NotFound("no such service", field=[*row.where, "service"])
            errors.append(row.located(missing))
        if row.service is None or row.reading is None:
            continue
        stored = row_of(row.reading, row.service.id)
        key = (stored.metric, stored.service_id, stored.at)
        if key in seen:
            message = f"repeats {seen[key].label}: the same metric, service and at"
            errors.append(row.located(Invalid(message, field=row.where)))
        seen.setdefault(key, row)
        checked.append(stored)
    return checked


async def import_measurements(
    session: AsyncSession, *, principal: Principal, format: ImportFormat, content: str
) -> ImportSummary:
    """Store every row of the content, or none: a bad row refuses the import."""
    errors: list[DomainError] = []
    rows = [_read_row(index, raw, errors) for index, raw in enumerate(parse(format, content))]
    await _resolve_services(session, rows)
    _require_recorder(principal, rows)
    checked = _checked_rows(rows, errors)
    if errors:
        raise DomainErrors(row_import.in_row_order(errors))
    written = await repository.upsert(
        session, checked, source=MeasurementSource.IMPORT, recorded_by=principal.actor
    )
    created = sum(1 for item in written if item.created)
    return ImportSummary(
        created=created, updated=len(written) - created, unchanged=len(checked) - len(written)
    )
