"""One LISTEN connection fans committed notifications out; slow subscribers are dropped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_engine, make_sessionmaker
from core.notification_hub import NotificationHub, SubscriberDropped
from core.notifications import Channel, notify

WAIT_S = 10


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    made = make_engine(fresh_database)
    yield made
    await made.dispose()


@pytest.fixture
async def hub(fresh_database: str) -> AsyncIterator[NotificationHub]:
    made = NotificationHub(fresh_database, queue_size=2)
    yield made
    await made.close()


async def _send(engine: AsyncEngine, *payloads: dict[str, Any], commit: bool = True) -> None:
    async with make_sessionmaker(engine)() as session:
        for payload in payloads:
            await notify(session, Channel.FEEDBACK, payload)
        if commit:
            await session.commit()


async def _next(subscription: Any) -> dict[str, Any]:
    found: dict[str, Any] = await asyncio.wait_for(subscription.get(), WAIT_S)
    return found


async def test_committed_notifications_reach_every_subscriber_of_the_channel_in_order(
    hub: NotificationHub, engine: AsyncEngine
) -> None:
    async with (
        hub.subscribe(Channel.FEEDBACK) as first,
        hub.subscribe(Channel.FEEDBACK) as second,
        hub.subscribe(Channel.INCIDENTS) as other,
    ):
        await _send(engine, {"id": "rolled back"}, commit=False)
        await _send(engine, {"id": "a"}, {"id": "b"})

        assert [await _next(first), await _next(first)] == [{"id": "a"}, {"id": "b"}]
        assert [await _next(second), await _next(second)] == [{"id": "a"}, {"id": "b"}]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(other.get(), 0.3)
    assert hub.subscriber_count == 0


async def test_a_slow_subscriber_is_dropped_and_the_others_keep_receiving(
    hub: NotificationHub, engine: AsyncEngine
) -> None:
    async with hub.subscribe(Channel.FEEDBACK) as slow, hub.subscribe(Channel.FEEDBACK) as fast:
        received = []
        for key in ("1", "2", "3", "4"):
            await _send(engine, {"id": key})
            received.append(await _next(fast))

        with pytest.raises(SubscriberDropped, match="too slow"):
            await _next(slow)
        assert received == [{"id": "1"}, {"id": "2"}, {"id": "3"}, {"id": "4"}]
        assert hub.subscriber_count == 1


async def test_a_payload_that_is_not_a_json_object_is_ignored(
    hub: NotificationHub, engine: AsyncEngine
) -> None:
    async with hub.subscribe(Channel.FEEDBACK) as subscription:
        async with make_sessionmaker(engine)() as session:
            await session.execute(select(func.pg_notify(Channel.FEEDBACK.value, "not json")))
            await session.commit()
        await _send(engine, {"id": "after"})

        assert await _next(subscription) == {"id": "after"}


async def test_losing_the_connection_drops_subscribers_and_the_next_one_reconnects(
    hub: NotificationHub, engine: AsyncEngine
) -> None:
    async with hub.subscribe(Channel.FEEDBACK) as before:
        async with engine.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'service-catalog listener'"
                    " AND datname = current_database()"
                )
            )
        with pytest.raises(SubscriberDropped, match="lost"):
            await _next(before)

    async with hub.subscribe(Channel.FEEDBACK) as after:
        await _send(engine, {"id": "again"})
        assert await _next(after) == {"id": "again"}
