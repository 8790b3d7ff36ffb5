"""Run a parsed SOQL query over one org's records: filter, order, cut, shape as the REST API."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from salesforce.fake.soql import BoolOp, Comparison, Condition, InList, Not, Query

Record = dict[str, Any]
# (object name, canonical path) -> the value at that path of a record.
Resolver = Callable[[Record, tuple[str, ...]], Any]


def _comparable(value: Any, other: Any) -> Any:
    """The record's value brought to the literal's type (strings compare case-insensitively)."""
    if isinstance(value, datetime) and isinstance(other, date) and not isinstance(other, datetime):
        return value.date()
    if isinstance(value, str):
        return value.casefold()
    return value


def _literal(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _equal(value: Any, literal: Any) -> bool:
    if isinstance(literal, tuple) and literal and literal[0] == "range":
        if value is None:
            return False
        day = value.date() if isinstance(value, datetime) else value
        return bool(literal[1] <= day <= literal[2])
    if literal is None or value is None:
        return literal is None and value is None
    return bool(_comparable(value, literal) == _literal(literal))


def _like(value: Any, pattern: str) -> bool:
    if value is None:
        return False
    regex = "".join(
        ".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, str(value), re.IGNORECASE | re.DOTALL) is not None


def _ordered(value: Any, op: str, literal: Any) -> bool:
    if value is None or literal is None:
        return False
    left, right = _comparable(value, literal), _literal(literal)
    try:
        return bool(
            {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
        )
    except TypeError:
        return False


def matches(condition: Condition, record: Record, resolve: Resolver) -> bool:
    if isinstance(condition, BoolOp):
        results = (matches(part, record, resolve) for part in condition.parts)
        return all(results) if condition.op == "AND" else any(results)
    if isinstance(condition, Not):
        return not matches(condition.part, record, resolve)
    value = resolve(record, tuple(condition.field.split(".")))
    if isinstance(condition, InList):
        found = any(_equal(value, literal) for literal in condition.values)
        return found != condition.negated
    assert isinstance(condition, Comparison)
    if condition.op == "=":
        return _equal(value, condition.value)
    if condition.op == "!=":
        return not _equal(value, condition.value)
    if condition.op == "LIKE":
        return _like(value, str(condition.value))
    return _ordered(value, condition.op, condition.value)


class _Key:
    """Sorts one ORDER BY item: direction and where nulls go, as SOQL does."""

    def __init__(self, value: Any, descending: bool, nulls_last: bool) -> None:
        self.value = _comparable(value, value)
        self.descending = descending
        self.nulls_last = nulls_last

    def __lt__(self, other: _Key) -> bool:
        if self.value is None or other.value is None:
            if self.value is None and other.value is None:
                return False
            return (self.value is None) != self.nulls_last
        if self.descending:
            return bool(self.value > other.value)
        return bool(self.value < other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


def select(query: Query, records: Iterable[Record], resolve: Resolver) -> list[Record]:
    """The records the query selects, ordered and cut, still unshaped."""
    found = [r for r in records if query.where is None or matches(query.where, r, resolve)]
    if query.order_by:
        found.sort(
            key=lambda record: [
                _Key(
                    resolve(record, tuple(item.field.split("."))), item.descending, item.nulls_last
                )
                for item in query.order_by
            ]
        )
    start = query.offset or 0
    end = None if query.limit is None else start + query.limit
    return found[start:end]


def to_json(value: Any) -> Any:
    """Values as the REST API writes them (`2026-01-31T09:00:00.000+0000`)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    if isinstance(value, date):
        return value.isoformat()
    return value
