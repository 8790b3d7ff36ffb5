"""Values formatted in SQL exactly as the resolver path serializes them.

Strawberry writes a `DateTime` with `datetime.isoformat()` (asyncpg's are UTC: `+00:00`,
microseconds only when not zero), a `Date` as `YYYY-MM-DD`, an enum by its member's name,
and global ids and cursors as unpadded base64url of their text (core/ids, core/pagination).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
)
from sqlalchemy.dialects.postgresql import JSON

# PostgreSQL's base64 breaks lines every 76 characters; base64url maps + and / and is unpadded.
# Four plain replaces, not one translate(): translate costs ~1.5 µs more a call, and a page of
# 20 services carries some 250 ids.
_PADDING: ColumnElement[str] = literal_column("'='")
_LINE_BREAK: ColumnElement[str] = literal_column("E'\\n'")
_NOTHING: ColumnElement[str] = literal_column("''")
_URL_SAFE: tuple[tuple[ColumnElement[str], ColumnElement[str]], ...] = (
    (literal_column("'+'"), literal_column("'-'")),
    (literal_column("'/'"), literal_column("'_'")),
)
_ISO_DATETIME: ColumnElement[str] = literal_column('\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\'')
_ISO_DATE: ColumnElement[str] = literal_column("'YYYY-MM-DD'")


def iso_datetime(value: ColumnElement[Any]) -> ColumnElement[Any]:
    text = func.to_char(func.timezone(literal_column("'UTC'"), value), _ISO_DATETIME)
    return func.replace(text, literal_column("'.000000+'"), literal_column("'+'"))


def iso_date(value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.to_char(value, _ISO_DATE)


def base64url(text: ColumnElement[Any]) -> ColumnElement[Any]:
    encoded = func.encode(
        func.convert_to(text, literal_column("'UTF8'")), literal_column("'base64'")
    )
    text = func.replace(func.rtrim(encoded, _PADDING), _LINE_BREAK, _NOTHING)
    for plain, url_safe in _URL_SAFE:
        text = func.replace(text, plain, url_safe)
    return text


def global_id(type_name: str, key: ColumnElement[Any]) -> ColumnElement[Any]:
    return base64url(sql_text(f"{type_name}:") + cast(key, Text))


def enum_name(value: ColumnElement[Any], enum: type[Enum]) -> ColumnElement[Any]:
    """Stored values are the members' values; GraphQL shows their names."""
    renamed = {member.value: member.name for member in enum if member.value != member.name}
    if not renamed:
        return value
    return case(
        *((value == stored, literal(name, String)) for stored, name in renamed.items()),
        else_=value,
    )


# Python writes a float with a decimal exponent below 16 in positional notation, PostgreSQL
# (shortest-exact, as Python) below 15; both write the same digits otherwise.
_POSITIONAL_BELOW: ColumnElement[Any] = literal_column("1e15")


def float_json(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A double as JSON written as Python's `repr` writes it: PostgreSQL's shortest-exact text,
    with the `.0` Python keeps on a whole number (`100.0`, not `100`). Whole numbers of 1e15
    and more PostgreSQL writes in exponent notation: the same number, other text."""
    text = cast(value, Text)
    whole = and_(value == func.trunc(value), func.abs(value) < _POSITIONAL_BELOW)
    return cast(case((whole, text + sql_text(".0")), else_=text), JSON)


def json_text(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """The JSON text of a value, `null` for NULL."""
    return func.coalesce(cast(func.to_json(value), Text), literal_column("'null'"))


def cursor(
    stamp: ColumnElement[Any],
    value: ColumnElement[Any],
    key: ColumnElement[Any],
    python_type: type,
    key_type: type = uuid.UUID,
) -> ColumnElement[Any]:
    """`Cursor(value, key).encode(stamp)` (core/pagination) for a row's sort value and key (a
    UUID, or an integer, which the cursor carries as a JSON number)."""
    if issubclass(python_type, datetime):
        dumped: ColumnElement[Any] = func.coalesce(
            sql_text('{"t":"') + iso_datetime(value) + sql_text('"}'),
            literal_column("'null'"),
        )
    elif issubclass(python_type, float):
        dumped = func.coalesce(cast(float_json(value), Text), literal_column("'null'"))
    else:
        dumped = json_text(value)
    payload = (
        sql_text('{"f":')
        + cast(func.to_json(stamp), Text)
        + sql_text(',"v":')
        + dumped
        + sql_text(',"i":')
        + (
            json_text(key)
            if issubclass(key_type, int)
            else sql_text('{"u":"') + cast(key, Text) + sql_text('"}')
        )
        + sql_text("}")
    )
    return base64url(payload)


def empty_json_array() -> ColumnElement[Any]:
    return literal_column("'[]'::json", JSON)


def sql_text(value: str) -> ColumnElement[str]:
    """A string constant written into the SQL (the plan's own text, never the client's)."""
    return literal_column("'" + value.replace("'", "''") + "'", String)


__all__ = [
    "base64url",
    "cursor",
    "empty_json_array",
    "enum_name",
    "float_json",
    "global_id",
    "iso_date",
    "iso_datetime",
    "json_text",
    "sql_text",
]
