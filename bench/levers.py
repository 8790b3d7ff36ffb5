"""What each lever of the default read path is worth, measured in process on the same data.

Each variant changes one thing against the product as it is; none is product code. Run
with the rest (stage `levers`): the figures back the recommendations in the report.
- caches: the schema plus Strawberry's ParserCache and ValidationCache;
- no_pre_ping: an engine without `pool_pre_ping` (one round trip fewer per checkout);
- orm_fetch vs core_fetch: the page's seven statements through the ORM (prefetch by
  selection, what `paginate` does) against the same statements as asyncpg records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from strawberry.extensions import ParserCache, ValidationCache

import graphql_schema.connection as connection_module
from bench.documents import SERVICES_PAGE, TYPENAME
from bench.fixed_cost import cache_infos
from bench.reference import PAGE_FIRST, Counter, create_pool, fetch_related
from bench.stats import interleave
from bench.subject import SchemaSubject
from catalog.services import models
from core.db import make_engine, make_sessionmaker
from graphql_schema.prefetch import loader_options


def _with_caches(subject: SchemaSubject) -> None:
    subject.schema.extensions = (
        *subject.schema.extensions,
        lambda: ParserCache(256),
        lambda: ValidationCache(256),
    )


async def _orm_page(sessionmaker: Any, selections: list[Any]) -> int:
    options = loader_options(selections, "Service")
    async with sessionmaker() as session:
        statement = (
            select(models.Service)
            .where(models.Service.archived_at.is_(None))
            .order_by(models.Service.name, models.Service.id)
            .limit(101)
            .options(*options)
        )
        return len((await session.scalars(statement)).unique().all())


async def measure(database_url: str, *, reps: int, target_s: float) -> dict[str, Any]:
    variants: dict[str, SchemaSubject] = {}
    # `BEGIN READ ONLY` was a lever too; the product now opens every read so (issue 16).
    for name in ("as_is", "caches", "no_pre_ping"):
        subject = SchemaSubject(database_url)
        if name == "caches":
            _with_caches(subject)
        if name == "no_pre_ping":
            await subject.engine.dispose()
            subject.engine = make_engine(
                database_url, statement_timeout_ms=subject.settings.statement_timeout_ms
            )
            subject.engine.pool._pre_ping = False
            subject.sessionmaker = make_sessionmaker(subject.engine)
        await subject.start()
        variants[name] = subject
    pool = await create_pool(database_url)
    found: dict[str, Any] = {}
    try:
        for document, variables, label in (
            (SERVICES_PAGE, {"first": 100}, "page100_ms"),
            (TYPENAME, None, "typename_us"),
        ):
            ops = {name: _op(subject, document, variables) for name, subject in variants.items()}
            series = await interleave(ops, reps=reps, target_s=target_s)
            scale = 1e3 if label.endswith("ms") else 1e6
            found[label] = {name: round(one.median * scale, 2) for name, one in series.items()}
        # A cache only pays if its key repeats: per-request validation rules defeat it.
        found["caches_hit_ratio"] = {
            name: round(info.hits / (info.hits + info.misses), 3)
            for name, info in cache_infos(variants["caches"]).items()
            if info.hits + info.misses
        }
        selections = await _page_node_selections(variants["as_is"])

        async def orm_fetch() -> int:
            return await _orm_page(variants["as_is"].sessionmaker, selections)

        async def core_fetch() -> int:
            async with pool.acquire() as connection:
                rows = await connection.fetch(PAGE_FIRST, 101)
                await fetch_related(connection, rows[:100], Counter())
            return len(rows)

        series = await interleave(
            {"orm_fetch": orm_fetch, "core_fetch": core_fetch}, reps=reps, target_s=target_s
        )
        found["page100_fetch_ms"] = {
            name: round(one.median * 1e3, 2) for name, one in series.items()
        }
    finally:
        for subject in variants.values():
            await subject.close()
        await pool.close()
    return found


def _op(subject: SchemaSubject, document: str, variables: dict[str, Any] | None) -> Any:
    async def op() -> bytes:
        return await subject.execute(document, variables)

    return op


async def _page_node_selections(subject: SchemaSubject) -> list[Any]:
    """The node selections `paginate` sees for the benchmark page, taken from a real run."""
    captured: list[Any] = []
    original = connection_module.node_selections

    def spy(info: Any) -> list[Any]:
        found = original(info)
        captured.extend(found)
        return found

    connection_module.node_selections = spy
    try:
        await subject.execute(SERVICES_PAGE, {"first": 1})
    finally:
        connection_module.node_selections = original
    return captured
