"""Reading the row lines of an export file: in the header's table order, decoded by column."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from server.exchange.format import Decoder, ExchangeRefused

Pending = tuple[int, str, dict[str, Any]]


class RowReader:
    """Parses one line ahead, so that a table's rows end where the next table's begin."""

    def __init__(self, lines: Iterator[tuple[int, bytes]], tables: list[str]) -> None:
        self._lines = lines
        self._order = {name: position for position, name in enumerate(tables)}
        self._position = 0
        self._pending = self._next()

    def _next(self) -> Pending | None:
        item = next(self._lines, None)
        if item is None:
            return None
        number, line = item
        try:
            # Numbers as Decimal: JSON values keep their digits ("1.10" stays "1.10").
            parsed = json.loads(line, parse_float=Decimal)
        except ValueError as error:
            raise ExchangeRefused(f"line {number}: not valid JSON ({error})") from None
        if not (
            isinstance(parsed, dict)
            and parsed.keys() == {"table", "row"}
            and isinstance(parsed["table"], str)
            and isinstance(parsed["row"], dict)
        ):
            raise ExchangeRefused(f'line {number}: not a {{"table": …, "row": {{…}}}} object')
        table = parsed["table"]
        position = self._order.get(table)
        if position is None:
            raise ExchangeRefused(f"line {number}: table {table} is not in the header")
        if position < self._position:
            raise ExchangeRefused(
                f"line {number}: a row of {table} after rows of a later table "
                "(rows must come in the header's table order)"
            )
        self._position = position
        return number, table, parsed["row"]

    def has_rows(self, table: str) -> bool:
        return self._pending is not None and self._pending[1] == table

    def rows(self, table: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """The line number and row of each of `table`'s rows, read as they are consumed."""
        while self._pending is not None and self._pending[1] == table:
            number, _, row = self._pending
            yield number, row
            self._pending = self._next()


def decode_row(
    number: int, table: str, decoders: list[tuple[str, Decoder]], row: dict[str, Any]
) -> tuple[Any, ...]:
    """The row's values in column order, as asyncpg writes them; refused naming the line."""
    if len(row) != len(decoders) or any(name not in row for name, _ in decoders):
        expected = {name for name, _ in decoders}
        missing, unexpected = sorted(expected - row.keys()), sorted(row.keys() - expected)
        raise ExchangeRefused(
            f"line {number}: {table} columns differ (missing {missing}, unexpected {unexpected})"
        )
    values: list[Any] = []
    for name, decode in decoders:
        value = row[name]
        try:
            values.append(None if value is None else decode(value))
        except ValueError as error:
            raise ExchangeRefused(f"line {number}: {table}.{name}: {error}") from None
    return tuple(values)
