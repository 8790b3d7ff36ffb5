"""What the producer tests share: the reactions wired, a job context over the test's
connection, and the deliveries written so far."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings
from identity.principal import Principal, Role
from notifications.models import Delivery
from server import subscribers
from server.jobs.context import JobContext

ADMIN = Principal(subject="admin", issuer="test", granted_roles=frozenset({Role.ADMIN}))


@pytest.fixture
def wired() -> None:
    """The domain-event reactions, notifications included, as the app wires them."""
    subscribers.wire()


def job_context(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> JobContext:
    """A job's context whose transactions are savepoints of the test's, rolled back after it."""
    return JobContext(settings, engine, sessionmaker)


async def deliveries(session: AsyncSession) -> list[Delivery]:
    """Every delivery written, oldest first."""
    rows = await session.scalars(
        select(Delivery)
        .order_by(Delivery.created_at, Delivery.event_key, Delivery.recipient)
        .execution_options(populate_existing=True)
    )
    return list(rows)
