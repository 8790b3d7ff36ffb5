"""Concurrent recordings of one (metric, service, at) store one measurement, and both succeed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import make_engine, make_sessionmaker
from identity.principal import Role, development_principal
from service_levels.measurement_import import ImportFormat, import_measurements
from service_levels.measurements import Reading, Recorded, record_measurement
from service_levels.models import Measurement, Metric
from tests.builders.catalog import create_service

ADMIN = development_principal(frozenset({Role.ADMIN}))
AT = datetime(2026, 10, 1, tzinfo=UTC)
ROWS = 5_000


@pytest.fixture
async def committed(fresh_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine: AsyncEngine = make_engine(fresh_database, pool_size=10)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _service(maker: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    async with maker() as session, session.begin():
        return (await create_service(session, slug="billing")).id


async def _record(
    maker: async_sessionmaker[AsyncSession], service_id: uuid.UUID, value: float
) -> Recorded:
    async with maker() as session, session.begin():
        return await record_measurement(
            session,
            principal=ADMIN,
            service_id=service_id,
            given=Reading(Metric.COST, AT, value),
        )


async def _values(maker: async_sessionmaker[AsyncSession]) -> list[float]:
    async with maker() as session:
        return list(await session.scalars(select(Measurement.value)))


async def test_two_recordings_at_once_store_one_row_created_then_updated(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    service_id = await _service(committed)

    outcomes = await asyncio.gather(*(_record(committed, service_id, v) for v in (10.0, 20.0)))

    assert sorted((item.created, item.updated) for item in outcomes) == [
        (False, True),
        (True, False),
    ]
    assert await _values(committed) in ([10.0], [20.0])


async def test_the_same_import_twice_at_once_stores_each_row_once(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    await _service(committed)
    content = "metric,service,at,value\n" + "".join(
        f"COST,billing,2026-09-{day:02d}T00:00:00Z,{day}\n" for day in range(1, 31)
    )

    async def run() -> tuple[int, int, int]:
        async with committed() as session, session.begin():
            summary = await import_measurements(
                session, principal=ADMIN, format=ImportFormat.CSV, content=content
            )
        return summary.created, summary.updated, summary.unchanged

    outcomes = await asyncio.gather(run(), run())

    assert sorted(outcomes) == [(0, 0, 30), (30, 0, 0)]
    assert sorted(await _values(committed)) == [float(day) for day in range(1, 31)]


async def test_imports_naming_the_same_rows_in_opposite_orders_do_not_deadlock(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    await _service(committed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    lines = [
        f"COST,billing,{(start + timedelta(hours=hour)).isoformat()},{{value}}\n"
        for hour in range(ROWS)
    ]
    forward = "metric,service,at,value\n" + "".join(lines).format(value=1)
    backward = "metric,service,at,value\n" + "".join(reversed(lines)).format(value=2)

    async def run(content: str) -> tuple[int, int, int]:
        async with committed() as session, session.begin():
            summary = await import_measurements(
                session, principal=ADMIN, format=ImportFormat.CSV, content=content
            )
        return summary.created, summary.updated, summary.unchanged

    outcomes = await asyncio.gather(run(forward), run(backward))

    assert sorted(outcomes) == [(0, ROWS, 0), (ROWS, 0, 0)]
    assert len(set(await _values(committed))) == 1
