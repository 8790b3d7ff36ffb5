"""authlib's state cache, kept in PostgreSQL so that any replica can finish a sign-in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import utcnow
from identity.login.models import LoginState


class DatabaseStateCache:
    """The async get/set/delete that authlib's Starlette integration calls."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def get(self, key: str) -> str | None:
        async with self._sessionmaker() as session:
            return await session.scalar(
                select(LoginState.value).where(
                    LoginState.key == key, LoginState.expires_at > utcnow()
                )
            )

    async def set(self, key: str, value: str, expires_in: int | None = None) -> None:
        expires_at = utcnow() + timedelta(seconds=expires_in or 600)
        async with self._sessionmaker() as session, session.begin():
            await session.execute(delete(LoginState).where(LoginState.expires_at < utcnow()))
            await session.execute(
                insert(LoginState)
                .values(key=key, value=value, expires_at=expires_at)
                .on_conflict_do_update(
                    index_elements=["key"], set_={"value": value, "expires_at": expires_at}
                )
            )

    async def delete(self, key: str) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(delete(LoginState).where(LoginState.key == key))
