"""The scheduler: each slot of a job runs once, however many workers share the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_engine, make_sessionmaker
from core.settings import load_settings
from server.jobs import EPOCH, JOBS, Job, JobContext, Scheduler, register, run_slot
from tests.database import _admin


@pytest.fixture
async def engines(fresh_database: str) -> AsyncIterator[list[AsyncEngine]]:
    """Two engines, as two replicas would have."""
    made = [make_engine(fresh_database), make_engine(fresh_database)]
    yield made
    for engine in made:
        await engine.dispose()


def context(engine: AsyncEngine) -> JobContext:
    settings = load_settings(database_url="postgresql://unused/unused", _env_file=None)
    return JobContext(settings, engine, make_sessionmaker(engine))


def starting_now(name: str, grace: float, run: Any) -> Job:
    """An hourly job whose slot started a moment ago, with `grace` seconds to start it."""
    every = timedelta(hours=1)
    offset = (datetime.now(UTC) - EPOCH) % every - timedelta(seconds=0.05)
    return Job(name, every=every, offset=offset, grace=timedelta(seconds=grace), run=run)


def test_slots_are_aligned_on_the_period_and_offset() -> None:
    job = Job("x", every=timedelta(days=1), offset=timedelta(hours=3), run=_never)
    now = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)

    assert job.slot_start(now) == datetime(2026, 4, 30, 3, 0, tzinfo=UTC)
    assert job.next_slot(now) == datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    assert job.start_window == timedelta(minutes=1)
    assert Job("y", every=timedelta(seconds=10), run=_never).start_window == timedelta(seconds=1)


def test_purge_is_registered_daily_and_names_are_unique() -> None:
    assert JOBS["purge"].every == timedelta(days=1)
    with pytest.raises(ValueError, match="already registered"):
        register(Job("purge", every=timedelta(days=1), run=_never))


async def _never(context: JobContext) -> str:
    raise AssertionError("not to be run")


async def test_two_workers_started_together_run_a_slot_once(
    engines: list[AsyncEngine],
) -> None:
    runs: list[str] = []

    async def slow(context: JobContext) -> str:
        runs.append("run")
        await asyncio.sleep(0.2)
        return "done"

    job = starting_now("test-once", 1, slow)
    summaries = await asyncio.gather(*(run_slot(job, context(engine)) for engine in engines))

    assert runs == ["run"]
    assert sorted(summaries, key=str) == [None, "done"]


async def test_a_worker_arriving_after_the_run_still_skips_the_slot(
    engines: list[AsyncEngine],
) -> None:
    runs: list[int] = []

    async def quick(context: JobContext) -> str:
        runs.append(1)
        return "done"

    # The winner holds the lock until the slot's grace has passed.
    job = starting_now("test-late", 0.5, quick)
    first = asyncio.create_task(run_slot(job, context(engines[0])))
    await asyncio.sleep(0.1)
    second = await run_slot(job, context(engines[1]))

    assert second is None
    assert await first == "done"
    assert runs == [1]


async def test_schedulers_run_each_slot_once_and_stop_on_request(
    engines: list[AsyncEngine],
) -> None:
    runs: list[datetime] = []

    async def stamp(context: JobContext) -> str:
        runs.append(datetime.now(UTC))
        return "stamped"

    job = Job("test-loop", every=timedelta(seconds=1), grace=timedelta(seconds=0.4), run=stamp)
    schedulers = [Scheduler(context(engine), [job]) for engine in engines]
    tasks = [asyncio.create_task(scheduler.run()) for scheduler in schedulers]
    await asyncio.sleep(3.5)
    for scheduler in schedulers:
        scheduler.stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)

    seconds = [stamp.replace(microsecond=0) for stamp in runs]
    assert 2 <= len(runs) <= 4
    assert len(set(seconds)) == len(seconds)  # never twice in one slot


async def test_a_worker_outlives_its_database_going_away_right_after_a_run(
    server_url: str, fresh_database: str
) -> None:
    """The clock read after a run fails too when the database went away meanwhile (a
    restart): the worker waits and carries on instead of exiting."""
    name = make_url(fresh_database).database
    runs: list[datetime] = []

    async def go_away(context: JobContext) -> str:
        runs.append(datetime.now(UTC))
        if len(runs) == 1:  # nobody may connect now, and every connection is cut
            await _admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await _admin(
                server_url,
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
            )
        return "ran"

    engine = make_engine(fresh_database)
    job = Job("test-outage", every=timedelta(seconds=1), grace=timedelta(seconds=0.4), run=go_away)
    scheduler = Scheduler(context(engine), [job])
    task = asyncio.create_task(scheduler.run())
    try:
        await asyncio.sleep(2.5)
        assert not task.done()  # unreachable, still running
        await _admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await asyncio.sleep(2.5)
    finally:
        scheduler.stop.set()
        await _admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await asyncio.wait_for(task, timeout=5)  # returns: no error escaped the scheduler
        await engine.dispose()

    assert len(runs) >= 2  # back at work once the database is
