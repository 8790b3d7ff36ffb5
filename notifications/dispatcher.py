"""The dispatcher: sends the outbox's due deliveries, each claimed by one worker at a time.

A round claims a batch of due deliveries (PENDING, or FAILED and due again) in a short
transaction, `FOR UPDATE SKIP LOCKED` so that workers never take the same rows, and leases
them by moving `next_attempt_at` ahead by `lease`: deliveries of a worker that died mid-send
are claimed again once the lease runs out, with the same webhook-id. The batch is then sent
concurrently, each send bounded by `send_timeout_s`, so a slow receiver holds up only its
own delivery, and each outcome is recorded in a transaction of its own, only while this
worker still holds the lease. Receivers get each delivery at least once (a crash between a
send and its record sends it again) and tell repeats by the webhook-id.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.channel_listener import ChannelListener
from core.db import listen_dsn
from core.notifications import Channel
from core.settings import Settings
from notifications.backoff import Backoff
from notifications.models import Delivery, DeliveryStatus, NotificationChannel
from notifications.senders.claimed import ChannelTarget, ClaimedDelivery
from notifications.senders.email import EmailSender
from notifications.senders.http import make_client
from notifications.senders.outcome import Outcome, Verdict
from notifications.senders.router import Senders

logger = logging.getLogger(__name__)

DUE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


@dataclass(frozen=True)
class Timings:
    lease: timedelta = timedelta(minutes=2)
    poll_interval_s: float = 5.0
    connect_timeout_s: float = 5.0
    send_timeout_s: float = 10.0


class Dispatcher:
    """Use as `async with Dispatcher(...) as dispatcher`: it holds an HTTP client."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        listen_to: str | None = None,
        batch_size: int = 50,
        timings: Timings | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._listen_to = listen_to
        self._batch_size = batch_size
        self._timings = timings or Timings()
        self._backoff = backoff or Backoff()
        self._http = make_client(
            connect_timeout_s=self._timings.connect_timeout_s,
            total_timeout_s=self._timings.send_timeout_s,
        )
        email = EmailSender(
            settings.smtp_url, settings.mail_from, timeout_s=self._timings.send_timeout_s
        )
        self._senders = Senders(settings, http=self._http, email=email)
        self._wake = asyncio.Event()

    @classmethod
    def for_engine(
        cls,
        settings: Settings,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        **options: Any,
    ) -> Dispatcher:
        """A dispatcher woken by new deliveries on the engine's database."""
        listen_to = listen_dsn(engine, settings.database_direct_url)
        return cls(settings, sessionmaker, listen_to=listen_to, **options)

    async def __aenter__(self) -> Dispatcher:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._http.aclose()

    async def dispatch_once(self) -> int:
        """Claim the due deliveries (a batch) and send them; how many were tried."""
        claimed = await self._claim()
        if claimed:
            async with asyncio.TaskGroup() as group:
                for delivery in claimed:
                    group.create_task(self._deliver(delivery))
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        """Send deliveries as they come due until `stop` is set; a round under way finishes."""
        listener = None
        if self._listen_to is not None:
            listener = ChannelListener(
                self._listen_to,
                Channel.DELIVERIES,
                on_notify=lambda _payload: self._wake.set(),
                # Reconnected: what was announced meanwhile was not heard.
                on_state=lambda listening: self._wake.set() if listening else None,
            )
            await listener.start()
        logger.info("dispatcher started")
        try:
            while not stop.is_set():
                self._wake.clear()
                if not await self._round():
                    await self._wait(stop)
        finally:
            if listener is not None:
                await listener.close()
            logger.info("dispatcher stopped")

    async def _round(self) -> int:
        try:
            return await self.dispatch_once()
        except Exception as error:
            logger.warning("dispatcher: cannot claim deliveries (%s); trying again", error)
            return 0

    async def _wait(self, stop: asyncio.Event) -> None:
        waits = {asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())}
        try:
            await asyncio.wait(
                waits, timeout=self._timings.poll_interval_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiting in waits:
                waiting.cancel()

    async def _claim(self) -> list[ClaimedDelivery]:
        d = Delivery
        due = (
            select(d.id)
            .where(d.status.in_(DUE), d.next_attempt_at <= func.now())
            .order_by(d.next_attempt_at)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        lease = (
            update(d)
            .where(d.id == due.c.id)
            .values(next_attempt_at=func.now() + self._timings.lease)
            .returning(
                d.id,
                d.body,
                d.message,
                d.attempts,
                d.created_at,
                d.next_attempt_at,
                d.recipient,
                d.channel_id,
            )
            .execution_options(synchronize_session=False)
        )
        async with self._sessionmaker() as session, session.begin():
            rows = (await session.execute(lease)).all()
            channels = await _channels(session, {row.channel_id for row in rows} - {None})
        return [
            ClaimedDelivery(
                id=row.id,
                body=row.body,
                message=row.message,
                attempts=row.attempts,
                created_at=row.created_at,
                leased_until=row.next_attempt_at,
                recipient=row.recipient,
                channel_id=row.channel_id,
                channel=channels.get(row.channel_id) if row.channel_id else None,
            )
            for row in rows
        ]

    async def _deliver(self, delivery: ClaimedDelivery) -> None:
        outcome = await self._attempt(delivery)
        try:
            await self._record(delivery, outcome)
        except Exception:
            # Its lease runs out and it is sent again: at least once, never lost.
            logger.exception("delivery %s: its outcome could not be recorded", delivery.id)

    async def _attempt(self, delivery: ClaimedDelivery) -> Outcome:
        timeout = self._timings.send_timeout_s
        try:
            async with asyncio.timeout(timeout):
                return await self._senders.send(delivery)
        except TimeoutError:
            return Outcome.retry(f"no answer within {timeout:g} s")
        except Exception as error:
            logger.exception("delivery %s: sending it failed", delivery.id)
            return Outcome.retry(f"could not send it ({type(error).__name__})")

    async def _record(self, delivery: ClaimedDelivery, outcome: Outcome) -> None:
        async with self._sessionmaker() as session, session.begin():
            now = await session.scalar(select(func.now()))
            assert isinstance(now, datetime)
            recorded = (
                update(Delivery)
                .where(
                    Delivery.id == delivery.id,
                    Delivery.status.in_(DUE),
                    Delivery.next_attempt_at == delivery.leased_until,
                )
                .values(settle(delivery, outcome, now, self._backoff))
                .execution_options(synchronize_session=False)
            )
            result = await session.execute(recorded)
            assert isinstance(result, CursorResult)
            if not result.rowcount:
                logger.warning("delivery %s: its lease ran out before it was recorded", delivery.id)
                return
            if outcome.verdict is Verdict.GONE and delivery.channel_id is not None:
                await _disable(
                    session, delivery.channel_id, f"{outcome.error} on {now:%Y-%m-%d %H:%M} UTC"
                )
        if outcome.verdict is not Verdict.DELIVERED:
            logger.info("delivery %s: %s (%s)", delivery.id, outcome.verdict.value, outcome.error)


def settle(
    delivery: ClaimedDelivery, outcome: Outcome, now: datetime, backoff: Backoff
) -> dict[str, Any]:
    """The delivery's new state after an attempt that came to `outcome` at `now`."""
    attempts = delivery.attempts + 1
    if outcome.verdict is Verdict.DELIVERED:
        return {
            "status": DeliveryStatus.DELIVERED,
            "attempts": attempts,
            "delivered_at": now,
            "next_attempt_at": None,
        }
    error = outcome.error or "failed"
    if outcome.verdict is Verdict.RETRY:
        if not backoff.gives_up(delivery.created_at, now):
            return {
                "status": DeliveryStatus.FAILED,
                "attempts": attempts,
                "last_error": error,
                "next_attempt_at": now + backoff.delay(attempts, outcome.retry_after),
            }
        error = f"{error}; given up after {attempts} attempts"
    return {
        "status": DeliveryStatus.DEAD,
        "attempts": attempts,
        "last_error": error,
        "next_attempt_at": None,
    }


async def _channels(session: AsyncSession, ids: set[Any]) -> dict[Any, ChannelTarget]:
    if not ids:
        return {}
    c = NotificationChannel
    rows = await session.execute(
        select(c.id, c.kind, c.target, c.secret, c.active).where(c.id.in_(ids))
    )
    return {
        row.id: ChannelTarget(row.id, row.kind, row.target, row.secret, row.active) for row in rows
    }


async def _disable(session: AsyncSession, channel_id: Any, reason: str) -> None:
    """The receiver is gone for good: the channel is switched off, saying why."""
    c = NotificationChannel
    await session.execute(
        update(c)
        .where(c.id == channel_id, c.active.is_(True))
        .values(active=False, disabled_reason=reason, version=c.version + 1, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


__all__ = ["Dispatcher", "Timings", "listen_dsn", "settle"]
