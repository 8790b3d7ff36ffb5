"""The per-request context: settings, principal, and one serialised database session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from core.history import set_transaction_actor
from core.settings import Settings
from identity.principal import Principal


class Context(BaseContext):
    """One request, one session, one transaction.

    Strawberry runs sibling resolvers concurrently, and an `AsyncSession` must never
    serve two coroutines at once: every statement goes through `db()`, which holds a
    per-request lock while the caller uses the session.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        principal: Principal | None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.principal = principal
        self.read_only = True
        self.request_id: str | None = None
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self.cache: dict[Any, Any] = {}

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        async with self._lock:
            if self._session is None:
                session = self._sessionmaker()
                await session.begin()
                if self.read_only:
                    await session.execute(text("SET TRANSACTION READ ONLY"))
                elif self.principal is not None:
                    await set_transaction_actor(
                        session, actor=self.principal.actor, request_id=self.request_id
                    )
                self._session = session
            yield self._session

    async def finish(self, *, commit: bool) -> None:
        """Commit (writes) or roll back (reads, failures), then release the connection."""
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if commit and not self.read_only:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()

    async def abort(self) -> None:
        """After a cancellation: never return a connection in an unknown state to the pool."""
        session, self._session = self._session, None
        if session is not None:
            await session.invalidate()


Info = StrawberryInfo[Context, None]
