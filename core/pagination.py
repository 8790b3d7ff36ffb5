"""Keyset pagination: opaque cursors carrying the order, the sort value and the id."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

Row = TypeVar("Row")


class PageSizeExceeded(ValueError):
    """`first` or `last` above `MAX_PAGE_SIZE`."""


class InvalidPageRequest(ValueError):
    """A malformed cursor, a cursor from another query, or a negative page size."""


@dataclass(frozen=True)
class Cursor:
    value: Any
    id: uuid.UUID | int

    def encode(self, fingerprint: str) -> str:
        payload = {"f": fingerprint, "v": _dump_value(self.value), "i": _dump_value(self.id)}
        # Non-ASCII as itself, as PostgreSQL writes it (the compiled path builds cursors in SQL).
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, fingerprint: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))
            payload = json.loads(raw)
            if not isinstance(payload, dict):
                raise TypeError
            given, value, key = payload["f"], payload["v"], payload["i"]
            key = _load_value(key)
            if not isinstance(key, (uuid.UUID, int)):
                raise TypeError
            cursor = cls(_load_value(value), key)
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            raise InvalidPageRequest(f"{text!r} is not a valid cursor") from None
        if given != fingerprint:
            raise InvalidPageRequest(
                "the cursor belongs to another filter or order; start again without it"
            )
        return cursor


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _load_value(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "u" in value:
        return uuid.UUID(value["u"])
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError


def fingerprint(*parts: Any) -> str:
    """A short hash of the filter and order, so a cursor only works with its own query."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def limit(self) -> int:
        for size in (self.first, self.last):
            if size is not None and size < 0:
                raise InvalidPageRequest("first and last must not be negative")
            if size is not None and size > MAX_PAGE_SIZE:
                raise PageSizeExceeded(
                    f"a page holds at most {MAX_PAGE_SIZE} items; {size} were asked for"
                )
        if self.first is not None and self.last is not None:
            raise InvalidPageRequest("pass first or last, not both")
        if self.last is not None:
            return self.last
        return self.first if self.first is not None else DEFAULT_PAGE_SIZE

    @property
    def backwards(self) -> bool:
        return self.last is not None


@dataclass(frozen=True)
class KeysetOrder:
    """Sort by one non-null column then the id; `descending` flips both."""

    column: InstrumentedAttribute[Any]
    id_column: InstrumentedAttribute[Any]
    descending: bool = False
    name: str = ""


@dataclass
class Page(Generic[Row]):
    rows: list[Row]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    count_statement: Select[Any]


def _after(order: KeysetOrder, cursor: Cursor, *, forward: bool, name: str | None) -> Any:
    pair = tuple_(order.column, order.id_column)
    if name is None:
        bound = tuple_(literal(cursor.value), literal(cursor.id))
    else:
        bound = tuple_(
            bindparam(f"{name}_value", cursor.value, type_=order.column.type),
            bindparam(f"{name}_id", cursor.id, type_=order.id_column.type),
        )
    goes_up = forward != order.descending
    return pair > bound if goes_up else pair < bound


def _fits(column: InstrumentedAttribute[Any], value: Any) -> bool:
    """Whether a cursor value can be compared with `column` (the fingerprint is no secret)."""
    if value is None:
        return bool(column.expression.nullable)
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return True
    if isinstance(value, bool):
        return python_type is bool
    if issubclass(python_type, str):  # text and enums stored as text
        return isinstance(value, str)
    if python_type is float:
        return isinstance(value, (int, float))
    return isinstance(value, python_type)


def _decode(text: str, stamp: str, order: KeysetOrder) -> Cursor:
    cursor = Cursor.decode(text, stamp)
    if not (_fits(order.column, cursor.value) and _fits(order.id_column, cursor.id)):
        raise InvalidPageRequest(f"{text!r} is not a valid cursor")
    return cursor


@dataclass(frozen=True)
class PageStatement:
    """One page of a statement: its cursors' fingerprint, the page's rows (one more than
    the page holds, to tell whether more follow) in fetch order, and that order."""

    stamp: str
    limit: int
    statement: Select[Any]
    ordering: tuple[Any, ...]
    # The cursors' values by bind parameter name, when the page was asked for with names.
    parameters: dict[str, Any]


def page_stamp(order: KeysetOrder, fingerprint_parts: Sequence[Any]) -> str:
    """The fingerprint a page's cursors carry: its order and what its rows are filtered by."""
    return fingerprint(order.name, order.descending, *fingerprint_parts)


def _given_cursors(
    request: PageRequest, stamp: str, order: KeysetOrder
) -> list[tuple[Cursor, bool]]:
    """The request's cursors, decoded and checked, each with whether it pages forward."""
    return [
        (_decode(given, stamp, order), forward)
        for given, forward in ((request.after, True), (request.before, False))
        if given is not None
    ]


def _bind_prefix(bind_name: str, forward: bool) -> str:
    return f"{bind_name}_{'after' if forward else 'before'}"


def cursor_parameters(
    request: PageRequest, *, stamp: str, order: KeysetOrder, bind_name: str
) -> dict[str, Any]:
    """The values a kept page statement (`page_statement` with `bind_name`) binds for this
    request's cursors; raises on a bad request exactly as `page_statement` does."""
    request.limit()
    parameters: dict[str, Any] = {}
    for cursor, forward in _given_cursors(request, stamp, order):
        name = _bind_prefix(bind_name, forward)
        parameters |= {f"{name}_value": cursor.value, f"{name}_id": cursor.id}
    return parameters


def page_statement(
    statement: Select[Any],
    *,
    order: KeysetOrder,
    request: PageRequest,
    fingerprint_parts: Sequence[Any],
    bind_name: str | None = None,
) -> PageStatement:
    """The keyset page of `statement` that `request` asks for; raises on a bad request.

    With a `bind_name`, the cursors' values are bound parameters named after it (the
    statement can then be kept and run again for another cursor)."""
    limit = request.limit()
    stamp = page_stamp(order, fingerprint_parts)
    conditions = []
    parameters: dict[str, Any] = {}
    for cursor, forward in _given_cursors(request, stamp, order):
        name = None if bind_name is None else _bind_prefix(bind_name, forward)
        conditions.append(_after(order, cursor, forward=forward, name=name))
        if name is not None:
            parameters |= {f"{name}_value": cursor.value, f"{name}_id": cursor.id}
    if conditions:
        statement = statement.where(and_(*conditions) if len(conditions) > 1 else conditions[0])
    if request.backwards != order.descending:
        ordering = (order.column.desc().nulls_last(), order.id_column.desc())
    else:
        ordering = (order.column.asc().nulls_last(), order.id_column.asc())
    statement = statement.order_by(*ordering).limit(written_in(limit + 1))
    return PageStatement(stamp, limit, statement, ordering, parameters)


def written_in(size: int) -> ColumnElement[int]:
    """A page size written into the SQL, not bound: PostgreSQL plans a bound LIMIT as a tenth
    of the rows, so a kept statement's generic plan looked dearer than re-planning each time.
    (The size is part of a kept statement's shape already.)"""
    return literal(size, Integer, literal_execute=True)


def count_statement(statement: Select[Any]) -> Select[Any]:
    """How many rows `statement` selects (for `totalCount`)."""
    return select(func.count()).select_from(statement.order_by(None).subquery())


async def fetch_page(
    session: AsyncSession,
    statement: Select[Any],
    *,
    order: KeysetOrder,
    request: PageRequest,
    fingerprint_parts: Sequence[Any],
) -> Page[Any]:
    """Run `statement` one page at a time; the statement selects one ORM entity."""
    page = page_statement(
        statement, order=order, request=request, fingerprint_parts=fingerprint_parts
    )
    rows = list((await session.scalars(page.statement)).unique().all())
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    if request.backwards:
        rows.reverse()
    key = order.column.key
    cursors = [Cursor(getattr(row, key), row.id).encode(page.stamp) for row in rows]
    if request.backwards:
        has_previous, has_next = has_more, request.before is not None
    else:
        has_next, has_previous = has_more, request.after is not None
    return Page(rows, cursors, has_next, has_previous, count_statement(statement))
