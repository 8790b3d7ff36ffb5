"""Benchmark databases: a migrated template, then a database per catalog size, seeded by COPY."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from sqlalchemy.engine import make_url

from bench.generator import Dataset, generate
from server.migrations import migrate

TEMPLATE = "sc_bench_template"


@dataclass(frozen=True)
class Seeded:
    size: int
    url: str
    name: str
    rows: dict[str, int]
    skipped: list[str]


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _admin(server_url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_dsn(server_url))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def build_template(server_url: str) -> None:
    """Migrated afresh on every run: the schema follows whatever main holds now."""
    await _admin(
        server_url,
        f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)',
        f'CREATE DATABASE "{TEMPLATE}"',
    )
    await migrate(with_database(server_url, TEMPLATE))


async def _tables(connection: asyncpg.Connection) -> set[str]:
    rows = await connection.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    )
    return {row["table_name"] for row in rows}


async def seed(server_url: str, size: int, *, seed: int = 1, now: datetime | None = None) -> Seeded:
    """A database of `size` services cloned from the template and filled by COPY."""
    name = f"sc_bench_n{size}"
    await _admin(
        server_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"',
    )
    url = with_database(server_url, name)
    connection = await asyncpg.connect(_dsn(url))
    try:
        data, skipped = generate(size, seed=seed, now=now, available=await _tables(connection))
        await _copy(connection, data)
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    counts = {table: len(rows) for table, rows in data.tables.items()}
    return Seeded(size, url, name, counts, skipped)


async def checkpoint(server_url: str) -> None:
    """The seeding's writes flushed to disk now, not by a checkpoint during the first stage."""
    await _admin(server_url, "CHECKPOINT")


async def _copy(connection: asyncpg.Connection, data: Dataset) -> None:
    async with connection.transaction():
        # Generated rows are not changes anyone made: the history trigger skips them.
        await connection.execute("SELECT set_config('catalog.importing', 'on', true)")
        for table, rows in data.tables.items():
            if not rows:
                continue
            columns = list(rows[0])
            records = [
                tuple(
                    json.dumps(row[column]) if isinstance(row[column], dict) else row[column]
                    for column in columns
                )
                for row in rows
            ]
            await connection.copy_records_to_table(table, records=records, columns=columns)
