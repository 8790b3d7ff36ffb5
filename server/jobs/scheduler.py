"""The scheduler and its job registry: each registered job run once across replicas.

Every job runs in slots of its period, aligned on the database's clock (a daily job
at 00:00 UTC plus its `offset`). In a slot, the first worker to take the job's advisory
lock (`pg_try_advisory_xact_lock`, one key a job) runs it; the others skip the slot. The
winner keeps the lock at least until the slot's `grace` has passed, and nobody starts a
slot after its grace, so a slot runs at most once however many workers there are. A slot
in which no worker was running is skipped, not caught up. A job must be safe to run again
(a worker stopping lets go of its lock early).

A worker runs the notification dispatcher beside its jobs (`run_jobs_and_deliveries`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from core.settings import Settings
from notifications.dispatcher import Dispatcher
from server.jobs.context import JobContext, JobFunction
from server.jobs.metrics import measured, serve_worker_metrics
from server.registry import MODEL_MODULES

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_GRACE = timedelta(minutes=1)
LOCK_NAMESPACE = "service-catalog job:"


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: JobFunction
    offset: timedelta = timedelta(0)
    grace: timedelta | None = None  # default: a tenth of the period, at most a minute

    @property
    def lock_key(self) -> int:
        """A signed 64-bit advisory-lock key of the job's name."""
        digest = hashlib.blake2b((LOCK_NAMESPACE + self.name).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    @property
    def start_window(self) -> timedelta:
        return self.grace if self.grace is not None else min(self.every / 10, MAX_GRACE)

    def slot_start(self, now: datetime) -> datetime:
        """The start of the slot `now` falls in."""
        slots = (now - EPOCH - self.offset) // self.every
        return EPOCH + self.offset + slots * self.every

    def next_slot(self, now: datetime) -> datetime:
        return self.slot_start(now) + self.every


JOBS: dict[str, Job] = {}
# Jobs run in a process that may import nothing else (`service-catalog worker`): every mapper
# must be known before a job's first query configures them.
assert MODEL_MODULES


def register(job: Job) -> Job:
    if job.name in JOBS:
        raise ValueError(f"a job named {job.name!r} is already registered")
    if job.every <= timedelta(0) or job.start_window <= timedelta(0):
        raise ValueError(f"job {job.name!r}: its period and grace must be positive")
    JOBS[job.name] = job
    return job


async def database_time(connection: AsyncConnection) -> datetime:
    """The database's clock: every worker schedules by the same one."""
    now = await connection.scalar(select(func.clock_timestamp()))
    assert isinstance(now, datetime)
    return now


async def database_now(engine: AsyncEngine) -> datetime:
    async with engine.connect() as connection:
        return await database_time(connection)


@contextlib.asynccontextmanager
async def _locked(job: Job, context: JobContext) -> AsyncIterator[AsyncConnection | None]:
    """A transaction holding the job's advisory lock, or None when a worker holds it."""
    async with context.locks.connect() as connection, connection.begin():
        won = await connection.scalar(select(func.pg_try_advisory_xact_lock(job.lock_key)))
        yield connection if won else None


def lock_engine_for(settings: Settings) -> AsyncEngine | None:
    """Behind a transaction pooler, where the jobs' locks are taken: PostgreSQL itself, a
    connection for each lock held (NullPool: none kept open between slots)."""
    if not settings.uses_transaction_pooler or settings.database_direct_url is None:
        return None
    from core.db import make_engine

    return make_engine(settings.database_direct_url, poolclass=NullPool)


@contextlib.asynccontextmanager
async def job_context(settings: Settings, url: str) -> AsyncIterator[JobContext]:
    """What jobs run with in a process of their own; the engine is disposed after."""
    from core.db import make_engine, make_sessionmaker

    engine = make_engine(
        url, statement_timeout_ms=settings.statement_timeout_ms, **settings.pool_options
    )
    lock_engine = lock_engine_for(settings)
    try:
        yield JobContext(settings, engine, make_sessionmaker(engine), lock_engine)
    finally:
        await engine.dispose()
        if lock_engine is not None:
            await lock_engine.dispose()


async def run_slot(job: Job, context: JobContext, stop: asyncio.Event | None = None) -> str | None:
    """Run the job for the current slot if this worker wins it; its summary, else None.

    A worker told to stop lets go of the lock early: jobs must be safe to run again.
    """
    async with _locked(job, context) as connection:
        if connection is None:
            return None
        now = await database_time(connection)
        slot = job.slot_start(now)
        if now - slot >= job.start_window:
            return None  # too late for this slot: another worker may have run it
        with measured(job.name):
            summary = await job.run(context)
        # Hold the lock until nobody may start this slot any more.
        now = await database_time(connection)
        remaining = (slot + job.start_window - now).total_seconds()
        if remaining > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for((stop or asyncio.Event()).wait(), timeout=remaining)
    return summary


async def run_now(job: Job, context: JobContext) -> str | None:
    """Run the job at once, outside its slots (`worker --once`), unless a worker is running
    it right now (its lock is held): its summary, else None."""
    async with _locked(job, context) as connection:
        if connection is None:
            return None
        with measured(job.name):
            return await job.run(context)


class Scheduler:
    """Runs the registered jobs until `stop` is set; a running job is let finish."""

    def __init__(self, context: JobContext, jobs: list[Job] | None = None) -> None:
        self.context = context
        self.jobs = list(JOBS.values()) if jobs is None else jobs
        self.stop = asyncio.Event()

    async def run(self) -> None:
        if not self.jobs:
            logger.warning("no job is registered")
        logger.info("worker started: %s", ", ".join(job.name for job in self.jobs))
        async with asyncio.TaskGroup() as group:
            for job in self.jobs:
                group.create_task(self._loop(job))
        logger.info("worker stopped")

    async def _loop(self, job: Job) -> None:
        while not self.stop.is_set():
            now = await self._database_now(job)
            if now is None:
                continue
            slot = job.slot_start(now)
            if now - slot >= job.start_window:
                await self._sleep((job.next_slot(now) - now).total_seconds())
                continue
            await self._attempt(job)
            now = await self._database_now(job)
            if now is not None and job.slot_start(now) == slot:
                await self._sleep((job.next_slot(now) - now).total_seconds())

    async def _database_now(self, job: Job) -> datetime | None:
        """The database's clock; None, after a pause, while it cannot be read (a restart):
        the worker outlives the database going away, whenever that happens."""
        try:
            return await database_now(self.context.engine)
        except Exception:
            logger.exception("job %s: the database is unreachable", job.name)
            await self._sleep(min(job.every.total_seconds(), 30))
            return None

    async def _attempt(self, job: Job) -> None:
        try:
            summary = await run_slot(job, self.context, self.stop)
        except Exception:
            logger.exception("job %s failed", job.name)
            return
        if summary is not None:
            logger.info("job %s: %s", job.name, summary)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=max(seconds, 0.01))


async def run_jobs_and_deliveries(scheduler: Scheduler) -> None:
    """The scheduler's jobs and the notification dispatcher, until the scheduler is stopped."""
    context = scheduler.context
    async with (
        Dispatcher.for_engine(context.settings, context.engine, context.sessionmaker) as dispatcher,
        asyncio.TaskGroup() as group,
    ):
        group.create_task(scheduler.run(), name="scheduler")
        group.create_task(dispatcher.run(scheduler.stop), name="dispatcher")


async def run_worker(settings: Settings, url: str) -> None:
    """`service-catalog worker`: the scheduler and the dispatcher until SIGINT or SIGTERM
    (twice: at once)."""
    from server import subscribers

    subscribers.wire(settings)  # jobs' changes get the reactions an API request's would
    if settings.worker_metrics_port is not None:
        serve_worker_metrics(settings.worker_metrics_port)
        logger.info("worker metrics on port %d at /metrics", settings.worker_metrics_port)
    async with job_context(settings, url) as context:
        await _run_until_stopped(Scheduler(context))


async def _run_until_stopped(scheduler: Scheduler) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def stop() -> None:
        if scheduler.stop.is_set() and task is not None:
            task.cancel()
            return
        logger.info("stopping once the running jobs and sends finish")
        scheduler.stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    try:
        await run_jobs_and_deliveries(scheduler)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def run_jobs_once(
    settings: Settings, url: str, names: Sequence[str], *, deliveries: bool = True
) -> list[str]:
    """`service-catalog worker --once NAME`: each named job now, a line of summary each; then
    (with `deliveries`) one round of the notification deliveries due, those the jobs wrote
    among them."""
    from server import subscribers

    subscribers.wire(settings)
    lines = []
    async with job_context(settings, url) as context:
        for name in names:
            summary = await run_now(JOBS[name], context)
            lines.append(
                f"{name}: {summary if summary is not None else 'running elsewhere; skipped'}"
            )
        if deliveries:
            async with Dispatcher(settings, context.sessionmaker) as dispatcher:
                sent = await dispatcher.dispatch_once()
            lines.append(f"deliveries: {sent} tried")
    return lines
