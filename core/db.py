"""Declarative base, shared columns and engine helpers."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import DateTime, Integer, MetaData, func, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from core.db_pooler import pooled_connect_args, startup_parameters
from core.db_tls import split_tls

logger = logging.getLogger(__name__)

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class Versioned:
    """Optimistic concurrency: a stale `version` raises `StaleDataError` on flush."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version, "eager_defaults": True}


def async_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` and speak asyncpg."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url}")


def make_engine(
    url: str,
    *,
    statement_timeout_ms: int | None = None,
    transaction_pooler: bool = False,
    **kwargs: Any,
) -> AsyncEngine:
    """The engine, without a pre-ping on every checkout (a round trip per request).

    A pooled connection that died meanwhile (PostgreSQL restarted, the backend was
    terminated) fails its first statement instead; SQLAlchemy then invalidates the whole
    pool, and the callers that can (a GraphQL query, the identity lookup) run once more on
    a fresh connection: see `connection_lost`.

    `transaction_pooler`: `url` is PgBouncer in transaction pooling mode (core/db_pooler.py).
    """
    tls = split_tls(async_url(url))
    connect_args: dict[str, Any] = {
        "server_settings": startup_parameters(
            statement_timeout_ms, transaction_pooler=transaction_pooler
        )
    }
    if transaction_pooler:
        connect_args |= pooled_connect_args()
    if tls.ssl is not None:
        connect_args["ssl"] = tls.ssl
    return create_async_engine(tls.url, connect_args=connect_args, **kwargs)


def listen_dsn(engine: AsyncEngine, direct_url: str | None = None) -> str:
    """asyncpg's own URL for a LISTEN connection: PostgreSQL's own (`direct_url`, past any
    pooler, which would hand the LISTEN to a server connection others use), else the
    engine's database."""
    url = make_url(async_url(direct_url)) if direct_url else engine.url
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


# PostgreSQL's SQLSTATEs of a connection gone or going: connection_does_not_exist,
# connection_failure, admin_shutdown (pg_terminate_backend, a fast shutdown),
# crash_shutdown, cannot_connect_now (still starting up).
LOST_CONNECTION_STATES = frozenset({"08003", "08006", "57P01", "57P02", "57P03"})


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error` and what caused it, each once."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


# The error code and message of work refused because the database cannot be reached.
DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
DATABASE_UNAVAILABLE_MESSAGE = "the database is unavailable; try again shortly"


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached now (down, restarting, refusing
    connections, or no pooled connection free in time), not that a statement was wrong."""
    return connection_lost(error) or any(
        isinstance(each, ConnectionError | PoolTimeoutError) for each in _chain(error)
    )


def connection_lost(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database connection died, as opposed
    to a statement that was refused: the same work may then be tried on a new connection.
    """
    for current in _chain(error):
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if getattr(current, "sqlstate", None) in LOST_CONNECTION_STATES:
            return True
        if isinstance(current, asyncpg.InterfaceError) and "connection is closed" in str(current):
            return True
        if isinstance(current, ConnectionResetError):
            return True
        # The server's notice of its shutdown arrived while the connection idled: asyncpg's
        # protocol is still consuming it when the next statement comes, and refuses that.
        if isinstance(current, asyncpg.exceptions.InternalClientError):
            return True
    return False


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def once_more_if_lost(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work`; if its connection turns out dead, run it once more (on a new one).

    Only for work that may safely run twice: a read, or writes that did not commit
    (the transaction of a lost connection is rolled back by PostgreSQL) and are idempotent.
    """
    try:
        return await work()
    except Exception as error:
        if not connection_lost(error):
            raise
        logger.warning(
            "the database connection was lost (%s); trying once more", type(error).__name__
        )
        return await work()


DATABASE_CHECK_S = 10


async def check_database(url: str, *, transaction_pooler: bool = False) -> None:
    """Connect and run `SELECT 1`; what went wrong is raised (see core/db_failures.py), a
    server that does not answer within DATABASE_CHECK_S as a ConnectionError."""
    engine = make_engine(url, transaction_pooler=transaction_pooler, pool_size=1)

    async def probe() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), DATABASE_CHECK_S)
    except TimeoutError:
        raise ConnectionError(
            f"could not connect to the database within {DATABASE_CHECK_S} s"
        ) from None
    finally:
        await engine.dispose()
