"""What a job runs with, and the shape of a job: `async def job(context: JobContext) -> str`,
returning a line of summary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # Where the jobs' advisory locks are taken, when not `engine`: each lock's transaction
    # stays open for its job's run and start window, which behind a transaction pooler
    # would hold one of its few server connections all that time.
    lock_engine: AsyncEngine | None = None

    @property
    def locks(self) -> AsyncEngine:
        return self.lock_engine or self.engine


JobFunction = Callable[[JobContext], Awaitable[str]]
