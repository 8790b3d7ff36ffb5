"""Reading rows to import from CSV, a JSON list or JSON Lines: the shared machinery.

Each import (measurements, AI-model evaluations) names its keys in a `RowShape`; `parse`
checks the content as a whole (size, control characters, a bare carriage return in CSV,
the CSV header, the JSON shape) and returns the rows unchecked, each remembering the
line it is on when the format has lines (CSV, JSON Lines). A malformed whole is refused on
the field `content`; the import then checks each row and reports its errors with
`located` (`line 5: …`) on `["rows", "<index>", "<key>"]`, in row order.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.errors import DomainError, DomainErrors, Invalid, Required
from core.text import is_free_text, refusal_message, refused_character

MAX_ROWS = 10_000
MAX_CONTENT_CHARS = 2_000_000
_BARE_CR = re.compile("\r(?!\n)")


class RowFormat(StrEnum):
    CSV = "CSV"
    JSON = "JSON"
    JSON_LINES = "JSON_LINES"


@dataclass(frozen=True)
class RowShape:
    """The keys of an import's rows: `required` ones first, then the `optional` ones."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        return frozenset({*self.required, *self.optional})

    @property
    def header(self) -> str:
        """`metric,service,at,value[,note]`: how messages name the columns."""
        extra = "".join(f"[,{key}]" for key in self.optional)
        return ",".join(self.required) + extra

    @property
    def braces(self) -> str:
        return "{" + ", ".join((*self.required, *self.optional)) + "}"


@dataclass(frozen=True)
class RawRow:
    """A row as the content gives it, unchecked; `line` is where a CSV or JSON Lines row ends."""

    fields: dict[Any, Any]
    line: int | None = None


def content_error(message: str, error: type[DomainError] = Invalid) -> DomainErrors:
    return DomainErrors([error(message, field=["content"])])


def _unreadable_line(format: RowFormat, content: str) -> str | None:
    """Why a line of the content cannot be read: a control character, or (CSV) a bare CR."""
    refused = refused_character(content, free_text=True)
    if refused is not None:
        return refusal_message(f"line {refused.line}", refused, multiline=False)
    bare = _BARE_CR.search(content) if format is RowFormat.CSV else None
    if bare is not None:
        line = content.count("\n", 0, bare.start()) + 1
        return (
            f"line {line}: a carriage return (U+000D) without a line feed;"
            " end lines with LF or CRLF"
        )
    return None


def _csv_rows(content: str, shape: RowShape) -> list[RawRow]:
    reader = csv.DictReader(io.StringIO(content), skipinitialspace=True)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise content_error(f"line {reader.line_num}: not valid CSV: {error}") from None
    missing = [key for key in shape.required if key not in header]
    unknown = [name for name in header if name not in shape.keys]
    if missing or unknown:
        raise content_error(
            f"the CSV header is {shape.header}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else "")
        )
    reader.fieldnames = header
    rows: list[RawRow] = []
    try:
        for record in reader:
            rows.append(RawRow(dict(record), reader.line_num))
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as error:
        raise content_error(f"line {reader.line_num}: not valid CSV: {error}") from None
    return rows


def _as_fields(item: Any) -> dict[Any, Any]:
    """An object's keys, or `{None: item}` for anything else (refused by the row check)."""
    return item if isinstance(item, dict) else {None: item}


def _json_rows(content: str, shape: RowShape) -> list[RawRow]:
    try:
        parsed = json.loads(content)
    except json.JSONDecodeError as error:
        raise content_error(f"not valid JSON: {error}") from None
    if not isinstance(parsed, list):
        raise content_error(f"the JSON is a list of objects {shape.braces}")
    return [RawRow(_as_fields(item)) for item in parsed]


def _json_lines_rows(content: str) -> list[RawRow]:
    rows: list[RawRow] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise content_error(f"line {number}: not valid JSON: {error}") from None
        rows.append(RawRow(_as_fields(item), number))
        if len(rows) > MAX_ROWS:
            break
    return rows


def parse(format: RowFormat, content: str, shape: RowShape) -> list[RawRow]:
    """The rows of the content, unchecked; a malformed whole is refused."""
    if not content.strip():
        raise content_error("content is empty", Required)
    if len(content) > MAX_CONTENT_CHARS:
        raise content_error(f"content is at most {MAX_CONTENT_CHARS} characters")
    unreadable = _unreadable_line(format, content)
    if unreadable is not None:
        raise content_error(unreadable)
    if format is RowFormat.CSV:
        rows = _csv_rows(content, shape)
    elif format is RowFormat.JSON:
        rows = _json_rows(content, shape)
    else:
        rows = _json_lines_rows(content)
    if not rows:
        raise content_error("content holds no rows", Required)
    if len(rows) > MAX_ROWS:
        raise content_error(f"an import holds at most {MAX_ROWS} rows")
    return rows


def located(error: DomainError, line: int | None) -> DomainError:
    """The error, its message starting with the line it is on (when the format has lines)."""
    if line is None:
        return error
    return DomainError(f"line {line}: {error.message}", field=error.field, code=error.code)


def text_value(raw: dict[str, Any], key: str, where: list[str]) -> Any:
    """A row's value, stripped when it is text; a control character in it refuses it."""
    value = raw.get(key)
    if not isinstance(value, str):
        return value
    refused = refused_character(value, free_text=is_free_text(key))
    if refused is not None:  # a JSON string's escapes, which the content check cannot see
        raise Invalid(refusal_message(key, refused, multiline=False), field=[*where, key])
    return value.strip()


def number_value(value: Any, key: str, where: list[str]) -> float:
    """A number, given as one or as text (CSV)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Invalid(f"{key} must be a number", field=[*where, key])


def in_row_order(errors: list[DomainError]) -> list[DomainError]:
    """Errors of the whole content first, then each row's, in row order."""

    def position(error: DomainError) -> int:
        path = error.field or []
        return int(path[1]) if len(path) > 1 and path[0] == "rows" else -1

    return sorted(errors, key=position)
