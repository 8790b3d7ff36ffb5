"""`import`: an export file into an empty database of the same schema, all or nothing."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import asyncpg
from sqlalchemy import Integer, Table

from core.history import IMPORTING_SETTING
from server.exchange.audit import audit_exchange
from server.exchange.format import ExchangeRefused, Header, decoder_for, read_header, revision_text
from server.exchange.progress import Progress, Report
from server.exchange.rows import RowReader, decode_row
from server.exchange.schema import (
    connect,
    database_revisions,
    exported_tables,
    quote,
    stored_columns,
    table_sql,
)
from server.registry import metadata

BUFFER_BYTES = 1 << 20
# What the data of a file can break; anything else is a failure of ours or of the server.
REFUSED_BY_DATABASE = (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError)
COPY_LINE = re.compile(r"^COPY [^,]+, line (\d+)")


def _silent(line: str) -> None:
    pass


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb", buffering=BUFFER_BYTES)
    except OSError as error:
        raise ExchangeRefused(f"cannot read {path}: {error.strerror}") from None


@contextmanager
def _input(source: str | Path) -> Iterator[Iterator[tuple[int, bytes]]]:
    """Numbered lines of the file, or of standard input for "-"."""
    if str(source) == "-":
        yield enumerate(sys.stdin.buffer, start=1)
        return
    with _open(Path(source)) as file:
        yield enumerate(file, start=1)


def _tables(header: Header) -> list[Table]:
    known = {table.name: table for table in exported_tables(metadata)}
    unknown = [name for name in header.rows if name not in known]
    if unknown:
        raise ExchangeRefused(f"the file holds tables this version does not know: {unknown}")
    return [known[name] for name in header.rows]


async def import_database(url: str, source: str | Path, *, report: Report = _silent) -> str:
    """Load `source` ("-": standard input) into the empty database; return the summary line."""
    with _input(source) as lines:
        first = next(lines, None)
        if first is None:
            raise ExchangeRefused(f"{source} is empty")
        header = read_header(first[1])
        tables = _tables(header)
        async with connect(url) as connection:
            revisions = await database_revisions(connection)
            if header.schema_revision != revisions:
                raise ExchangeRefused(
                    f"the file is from schema revision {revision_text(header.schema_revision)}, "
                    f"the database is at {revision_text(revisions)}"
                )
            progress = Progress("imported", header.rows, report)
            try:
                async with connection.transaction():
                    await _prepare(connection)
                    reader = RowReader(lines, list(header.rows))
                    for table in tables:
                        await _load(connection, table, reader, header.rows[table.name], progress)
                    await _reset_sequences(connection, tables)
            except REFUSED_BY_DATABASE as error:  # deferred constraints, checked at commit
                raise ExchangeRefused(_describe(error)) from None
            await audit_exchange(connection, "IMPORT", {"file": str(source), "rows": header.rows})
    return progress.summary(f"from {source}")


async def _prepare(connection: Any) -> None:
    """No history while importing; nobody writes meanwhile; the database must be empty."""
    await connection.execute("SELECT set_config($1, 'on', true)", IMPORTING_SETTING)
    await connection.execute("SET CONSTRAINTS ALL DEFERRED")
    every = exported_tables(metadata)
    names = ", ".join(table_sql(table) for table in every)
    await connection.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
    filled = [
        table.name
        for table in every
        if await connection.fetchval(f"SELECT EXISTS (SELECT FROM {table_sql(table)})")
    ]
    if filled:
        raise ExchangeRefused(
            f"the database is not empty (rows in {', '.join(filled)}); "
            "import needs a migrated database without any row"
        )


async def _load(
    connection: Any, table: Table, reader: RowReader, expected: int, progress: Progress
) -> None:
    """One COPY for the whole table: references within the table are checked at its end."""
    progress.start(table.name)
    columns = stored_columns(table)
    decoders = [(column.name, decoder_for(column.type)) for column in columns]
    span = Span()

    def records() -> Iterator[tuple[Any, ...]]:
        for number, row in reader.rows(table.name):
            span.first = span.first or number
            span.last = number
            yield decode_row(number, table.name, decoders, row)
            progress.row()

    if reader.has_rows(table.name):
        try:
            await connection.copy_records_to_table(
                table.name,
                records=records(),
                columns=[column.name for column in columns],
                schema_name=table.schema,
            )
        except REFUSED_BY_DATABASE as error:
            raise ExchangeRefused(_describe(error, span)) from None
        except (OverflowError, TypeError, ValueError) as error:  # asyncpg encoding the last row
            raise ExchangeRefused(f"line {span.last}: {table.name}: {error}") from None
    if progress.table_rows != expected:
        raise ExchangeRefused(
            f"table {table.name}: the file holds {progress.table_rows} rows but its header "
            f"announces {expected} (is the file truncated?)"
        )


@dataclass
class Span:
    """The file's lines of a table's first row and of the latest row sent."""

    first: int = 0
    last: int = 0


def _describe(error: Exception, span: Span | None = None) -> str:
    """The database's complaint, naming the file's line when the server names a COPY row."""
    message = str(error).splitlines()[0]
    detail = getattr(error, "detail", None)
    text = f"{message} ({detail})" if detail else message
    match = COPY_LINE.match(getattr(error, "context", None) or "")
    if span and match:
        return f"line {span.first + int(match.group(1)) - 1}: {text}"
    return text


async def _reset_sequences(connection: Any, tables: list[Table]) -> None:
    """Identity and serial columns continue after the largest imported value."""
    for table in tables:
        for column in table.columns:
            if not isinstance(column.type, Integer):
                continue
            name = quote(column.name)
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence($1, $2), max({name})) "
                f"FROM {table_sql(table)} HAVING max({name}) IS NOT NULL",
                table_sql(table),
                column.name,
            )
