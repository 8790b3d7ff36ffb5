"""The export file format: JSON Lines, one header line, then one line per row.

Values are written losslessly and read back by the column's type:

- UUID, date, time, timestamp (ISO 8601, with its offset when it has one), Decimal: strings;
- float: a number, or "NaN" / "Infinity" / "-Infinity"; bytes: base64 strings;
- arrays: lists; int, bool, str: themselves; SQL NULL: null;
- JSON and JSONB: the value itself, as PostgreSQL prints it. Because null then means SQL
  NULL, a JSON `null` is written `{"$json": null}`, and so is any object whose only key is
  "$json" (`{"$json": {"$json": 1}}`): a one-key "$json" object is always unwrapped once.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import types as sqltypes

FORMAT = "service-catalog-export"
FORMAT_VERSION = 1
JSON_WRAPPER = "$json"

Encoder = Callable[[Any], str]
Decoder = Callable[[Any], Any]


class ExchangeRefused(Exception):
    """The file or the database is not fit for the command; nothing was changed."""


# --- export: Python values (as asyncpg returns them) to JSON text -----------------------


def _quoted(value: object) -> str:
    return '"' + str(value) + '"'  # for values whose text never needs escaping


def _float(value: float) -> str:
    if math.isfinite(value):
        return repr(value)
    return '"NaN"' if math.isnan(value) else ('"Infinity"' if value > 0 else '"-Infinity"')


def _list(values: list[Any]) -> str:
    return "[" + ", ".join(encode_value(value) for value in values) + "]"


_ENCODERS: dict[type, Encoder] = {
    str: lambda value: json.dumps(value, ensure_ascii=False),
    bool: lambda value: "true" if value else "false",
    int: str,
    float: _float,
    Decimal: _quoted,
    uuid.UUID: _quoted,
    datetime: lambda value: _quoted(value.isoformat()),
    date: lambda value: _quoted(value.isoformat()),
    time: lambda value: _quoted(value.isoformat()),
    bytes: lambda value: _quoted(base64.b64encode(value).decode("ascii")),
    list: _list,
    ipaddress.IPv4Address: _quoted,
    ipaddress.IPv6Address: _quoted,
    ipaddress.IPv4Interface: _quoted,
    ipaddress.IPv6Interface: _quoted,
    ipaddress.IPv4Network: _quoted,
    ipaddress.IPv6Network: _quoted,
}


def _encoder_for(kind: type) -> Encoder:
    for base in kind.__mro__:
        if base in _ENCODERS:
            _ENCODERS[kind] = _ENCODERS[base]
            return _ENCODERS[base]
    raise TypeError(f"values of type {kind.__name__} cannot be exported")


def encode_value(value: Any) -> str:
    """The JSON text of one column value."""
    if value is None:
        return "null"
    encoder = _ENCODERS.get(type(value)) or _encoder_for(type(value))
    return encoder(value)


def encode_json(text: str | None) -> str:
    """A JSON/JSONB column's value, given as PostgreSQL prints it."""
    if text is None:
        return "null"
    # PostgreSQL prints a one-key object as exactly '{"key": value}'.
    wrapped = text.startswith('{"' + JSON_WRAPPER + '": ') and len(json.loads(text)) == 1
    if text == "null" or wrapped:
        return '{"' + JSON_WRAPPER + '": ' + text + "}"
    return text


# --- import: JSON values to Python values for asyncpg, by column type -------------------


def _expect(kind: type | tuple[type, ...], name: str) -> Decoder:
    def check(value: Any) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"expected {name}, found {json.dumps(value, default=str)[:80]}")
        return value

    return check


def _parsing(parse: Callable[[str], Any], name: str) -> Decoder:
    expect_text = _expect(str, name)

    def decode(value: Any) -> Any:
        try:
            return parse(expect_text(value))
        except (ValueError, ArithmeticError):  # decimal.InvalidOperation is an ArithmeticError
            raise ValueError(f"expected {name}, found {json.dumps(value)[:80]}") from None

    return decode


def _decode_float(value: Any) -> float:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return float(value)
    if value in ("NaN", "Infinity", "-Infinity"):
        return float(value)
    raise ValueError(f"expected a number, found {json.dumps(value, default=str)[:80]}")


def dump_json(value: Any) -> str:
    """JSON text keeping numbers exactly as read (they are read as `Decimal`)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        items = (json.dumps(key) + ": " + dump_json(item) for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump_json(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _decode_json(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1 and JSON_WRAPPER in value:
        value = value[JSON_WRAPPER]
    if _holds_nul(value):  # PostgreSQL's error would not name the file's line
        raise ValueError("a JSON string holds U+0000 (NUL), which jsonb cannot store")
    return dump_json(value)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _array(item: Decoder) -> Decoder:
    def decode(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise ValueError(f"expected a list, found {json.dumps(value, default=str)[:80]}")
        return [
            None if x is None else (decode(x) if isinstance(x, list) else item(x)) for x in value
        ]

    return decode


def _base64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _unwrapped(type_: sqltypes.TypeEngine[Any]) -> sqltypes.TypeEngine[Any]:
    while isinstance(type_, sqltypes.TypeDecorator):
        type_ = type_.impl_instance
    return type_


def is_json(type_: sqltypes.TypeEngine[Any]) -> bool:
    return isinstance(_unwrapped(type_), sqltypes.JSON)


def decoder_for(type_: sqltypes.TypeEngine[Any]) -> Decoder:
    """How to turn a JSON value of the file into what asyncpg writes to this column type."""
    type_ = _unwrapped(type_)
    if isinstance(type_, sqltypes.JSON):
        return _decode_json
    if isinstance(type_, sqltypes.ARRAY):
        return _array(decoder_for(type_.item_type))
    checks: tuple[tuple[type, Decoder], ...] = (
        (sqltypes.Uuid, _parsing(uuid.UUID, "a UUID")),
        (sqltypes.DateTime, _parsing(datetime.fromisoformat, "an ISO 8601 time stamp")),
        (sqltypes.Date, _parsing(date.fromisoformat, "an ISO 8601 date")),
        (sqltypes.Time, _parsing(time.fromisoformat, "an ISO 8601 time")),
        (sqltypes.Float, _decode_float),
        (sqltypes.Numeric, _parsing(Decimal, "a decimal number")),
        (sqltypes.LargeBinary, _parsing(_base64, "base64 text")),
        (sqltypes.Boolean, _expect(bool, "true or false")),
        (sqltypes.Integer, _expect(int, "an integer")),
        (sqltypes.String, _expect(str, "a string")),
    )
    for kind, decoder in checks:
        if isinstance(type_, kind):
            return decoder
    return lambda value: value


# --- the header line ---------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    schema_revision: frozenset[str]
    rows: dict[str, int]  # row count per table, in the order of the file


def _revision_text(revisions: frozenset[str]) -> str | list[str]:
    return next(iter(revisions)) if len(revisions) == 1 else sorted(revisions)


def header_line(
    *, exported_at: datetime, revisions: frozenset[str], rows: Mapping[str, int]
) -> str:
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": exported_at.isoformat(),
        "schema_revision": _revision_text(revisions),
        "tables": list(rows),
        "rows": dict(rows),
    }
    return json.dumps(header, ensure_ascii=False) + "\n"


def read_header(line: bytes) -> Header:
    """The header of a file this version can read, or `ExchangeRefused` saying why not."""
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ExchangeRefused(f"not a {FORMAT} file (line 1 is no {FORMAT} header)")
    if header.get("format_version") != FORMAT_VERSION:
        raise ExchangeRefused(
            f"format version {json.dumps(header.get('format_version'))} is not supported "
            f"(this version reads {FORMAT_VERSION})"
        )
    revision, tables, rows = header.get("schema_revision"), header.get("tables"), header.get("rows")
    revisions: list[Any] = [revision] if isinstance(revision, str) else revision or []
    valid = (
        bool(revisions)
        and all(isinstance(item, str) for item in revisions)
        and isinstance(tables, list)
        and isinstance(rows, dict)
        and list(rows) == tables
        and all(isinstance(count, int) and count >= 0 for count in rows.values())
    )
    if not valid or not isinstance(rows, dict):
        raise ExchangeRefused("line 1: the header's schema_revision, tables or rows are malformed")
    return Header(schema_revision=frozenset(revisions), rows=rows)


def revision_text(revisions: frozenset[str]) -> str:
    return ", ".join(sorted(revisions)) or "none"
