"""One channel LISTENed for as long as the app runs, the connection re-made when lost.

Unlike the live-update hub (core/notification_hub.py), whose connection is opened by the
first subscriber and whose subscribers are dropped with it, this one is held from start to
shut-down for a cache that must hear every change: it says when it is listening and when
it is not (`on_state`), since whatever was sent while the connection was down is gone.
The connection is checked every CHECK_INTERVAL_S, so that a silent network drop is
noticed too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from core.notifications import Channel, decode

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
CHECK_INTERVAL_S = 30.0
CHECK_TIMEOUT_S = 5.0
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 30.0


class ChannelListener:
    def __init__(
        self,
        dsn: str,
        channel: Channel,
        *,
        on_notify: Callable[[dict[str, Any]], None],
        on_state: Callable[[bool], None],
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        self._on_notify = on_notify
        self._on_state = on_state
        self._task: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()
        self._connection: Any = None

    async def start(self) -> None:
        """Start listening; returns once the first attempt to connect has ended either way
        (if it failed, it is retried in the background)."""
        self._task = asyncio.create_task(self._run(), name=f"listen {self._channel.value}")
        await self._first_attempt.wait()

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._disconnect()

    async def _run(self) -> None:
        delay = RETRY_FIRST_S
        while True:
            try:
                lost = await self._connect()
            except Exception as error:  # the database is down or refuses us: try again
                logger.warning("cannot listen on %s (%s); retrying", self._channel.value, error)
                self._first_attempt.set()
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            delay = RETRY_FIRST_S
            self._on_state(True)
            self._first_attempt.set()
            try:
                await self._watch(lost)
            finally:
                self._on_state(False)
                await self._disconnect()
            logger.warning("lost the connection listening on %s; reconnecting", self._channel.value)

    async def _connect(self) -> asyncio.Event:
        connection = await asyncpg.connect(
            self._dsn,
            timeout=CONNECT_TIMEOUT_S,
            server_settings={"application_name": "service-catalog listener"},
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(self._channel.value, self._deliver)
        except BaseException:
            connection.terminate()
            raise
        self._connection = connection
        return lost

    async def _watch(self, lost: asyncio.Event) -> None:
        """Returns when the connection is lost."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), CHECK_INTERVAL_S)
                return
            try:
                await self._connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_S)
            except Exception:
                return

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()

    def _deliver(self, connection: Any, pid: int, channel: str, text: str) -> None:
        payload = decode(text)
        if payload is None:
            logger.warning("ignored a notification on %s that is not a JSON object", channel)
            return
        self._on_notify(payload)
