"""`export`: every table of the models, from one snapshot, streamed to a JSON Lines file."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Table

from server.exchange.audit import audit_exchange
from server.exchange.format import ExchangeRefused, encode_json, encode_value, header_line, is_json
from server.exchange.progress import Progress, Report
from server.exchange.schema import (
    connect,
    database_revisions,
    exported_tables,
    select_sql,
    stored_columns,
    table_sql,
    unknown_to_models,
)
from server.registry import metadata

PREFETCH = 2_000  # rows per round trip of the server-side cursor
BUFFER_BYTES = 1 << 20


def _silent(line: str) -> None:
    pass


@contextmanager
def _output(target: str | Path) -> Iterator[BinaryIO]:
    """Standard output for "-"; else a file that appears under its name only when complete."""
    if str(target) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    partial = path.with_name(f".{path.name}.partial")
    try:
        out = partial.open("wb", buffering=BUFFER_BYTES)
    except OSError as error:
        raise ExchangeRefused(f"cannot write {path}: {error.strerror}") from None
    try:
        with out:
            yield out
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


async def export_database(url: str, target: str | Path, *, report: Report = _silent) -> str:
    """Write the database to `target` ("-": standard output); return the summary line."""
    tables = exported_tables(metadata)
    with _output(target) as out:
        async with (
            connect(url) as connection,
            connection.transaction(isolation="repeatable_read", readonly=True),
        ):
            revisions = await database_revisions(connection)  # takes the snapshot
            for name in await unknown_to_models(connection, tables):
                report(f"warning: {name} is not exported: no model declares it")
            counts = {
                table.name: await connection.fetchval(f"SELECT count(*) FROM {table_sql(table)}")
                for table in tables
            }
            exported_at = await connection.fetchval("SELECT now()")  # the snapshot's time
            out.write(
                header_line(exported_at=exported_at, revisions=revisions, rows=counts).encode()
            )
            progress = Progress("exported", counts, report)
            for table in tables:
                await _write_table(connection, table, out, progress)
        # After the snapshot's transaction, so not in the file; the file is complete.
        async with connect(url) as connection:
            await audit_exchange(
                connection,
                "EXPORT",
                {"file": str(target), "snapshot_at": exported_at.isoformat(), "rows": counts},
            )
    return progress.summary(f"to {target}")


async def _write_table(connection: Any, table: Table, out: BinaryIO, progress: Progress) -> None:
    progress.start(table.name)
    prefix = '{"table": ' + json.dumps(table.name) + ', "row": {'
    fields = [
        (json.dumps(column.name) + ": ", encode_json if is_json(column.type) else encode_value)
        for column in stored_columns(table)
    ]
    async for record in connection.cursor(select_sql(table), prefetch=PREFETCH):
        try:
            body = ", ".join(
                key + encode(value) for (key, encode), value in zip(fields, record, strict=True)
            )
        except TypeError as error:
            raise TypeError(f"table {table.name}: {error}") from None
        out.write((prefix + body + "}}\n").encode())
        progress.row()
