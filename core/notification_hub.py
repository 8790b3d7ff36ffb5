"""One LISTEN connection per process, fanning PostgreSQL notifications out to subscribers.

The connection is opened by the first subscriber and listens on every channel of
`core.notifications.Channel`. Each subscriber has a bounded queue: one that falls
`queue_size` notifications behind is dropped (told so once, then forgotten), so a slow
client never holds the process back. When the connection is lost, every subscriber is
dropped too, since notifications sent meanwhile are gone: clients subscribe again (which
reconnects) and reload what they show.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from core.notifications import Channel, decode

logger = logging.getLogger(__name__)

QUEUE_SIZE = 100
CONNECT_TIMEOUT_S = 10.0


# Queued in place of what a dropped subscriber was waiting for.
_DROPPED: dict[str, Any] = {"dropped": True}


class SubscriberDropped(Exception):
    """The subscriber fell too far behind, or the listening connection was lost."""


class Subscription:
    """Notifications of one channel for one subscriber, oldest first."""

    def __init__(self, channel: Channel, queue_size: int) -> None:
        self.channel = channel
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=max(queue_size, 1))
        self._dropped: str | None = None

    def offer(self, payload: dict[str, Any]) -> bool:
        """Queue a payload; False when the queue is full (the subscriber is too slow)."""
        try:
            self._queue.put_nowait(payload)
        except asyncio.QueueFull:
            return False
        return True

    def drop(self, reason: str) -> None:
        """Forget what is waiting; the next `get` raises SubscriberDropped."""
        if self._dropped is not None:
            return
        self._dropped = reason
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_DROPPED)

    async def get(self) -> dict[str, Any]:
        item = await self._queue.get()
        if item is _DROPPED:
            self._queue.put_nowait(item)
            raise SubscriberDropped(self._dropped)
        return item


class NotificationHub:
    def __init__(self, dsn: str, *, queue_size: int = QUEUE_SIZE) -> None:
        self._dsn = dsn
        self._queue_size = queue_size
        self._connection: Any = None
        self._lock = asyncio.Lock()
        self._subscribers: dict[Channel, set[Subscription]] = {
            channel: set() for channel in Channel
        }

    @property
    def subscriber_count(self) -> int:
        return sum(len(subscribers) for subscribers in self._subscribers.values())

    @asynccontextmanager
    async def subscribe(self, channel: Channel) -> AsyncIterator[Subscription]:
        """A subscription to `channel`, listening before it is handed over."""
        await self._listen()
        subscription = Subscription(channel, self._queue_size)
        self._subscribers[channel].add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers[channel].discard(subscription)

    async def _listen(self) -> None:
        async with self._lock:
            if self._connection is not None and not self._connection.is_closed():
                return
            connection = await asyncpg.connect(
                self._dsn,
                timeout=CONNECT_TIMEOUT_S,
                server_settings={"application_name": "service-catalog listener"},
            )
            for channel in Channel:
                await connection.add_listener(channel.value, self._deliver)
            connection.add_termination_listener(self._lost)
            self._connection = connection

    def _deliver(self, connection: Any, pid: int, channel: str, text: str) -> None:
        payload = decode(text)
        if payload is None:
            logger.warning("ignored a notification on %s that is not a JSON object", channel)
            return
        subscribers = self._subscribers.get(Channel(channel), set())
        for subscription in list(subscribers):
            if not subscription.offer(payload):
                subscribers.discard(subscription)
                subscription.drop(f"too slow: more than {self._queue_size} updates were waiting")
                logger.info("dropped a slow subscriber of %s", channel)

    def _lost(self, connection: Any) -> None:
        if connection is not self._connection:
            return
        self._connection = None
        logger.warning("the listening connection was lost; dropping every subscriber")
        self._drop_all("the live-update connection was lost; subscribe again")

    def _drop_all(self, reason: str) -> None:
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.drop(reason)
            subscribers.clear()

    async def close(self) -> None:
        """Drop every subscriber and close the connection (at shut-down)."""
        self._drop_all("the server is shutting down")
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=5)
