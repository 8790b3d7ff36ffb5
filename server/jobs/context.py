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


JobFunction = Callable[[JobContext], Awaitable[str]]
