"""The dispatcher against real receivers: each due delivery claimed once, sent, and its
outcome recorded (delivered, retried later, given up, the channel disabled)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from core.db import make_engine, make_sessionmaker
from core.settings import Settings, load_settings
from notifications.backoff import Backoff
from notifications.dispatcher import Dispatcher, Timings
from notifications.models import ChannelKind, Delivery, NotificationChannel, NotificationEvent
from notifications.outbox import Notice, Recipient, enqueue
from notifications.secrets import new_secret
from server.jobs import JobContext, Scheduler
from server.jobs.scheduler import run_jobs_and_deliveries
from tests.builders.identity import create_team
from tests.identity.idp import free_port
from tests.notifications.receivers import HttpReceiver, SmtpCapture

FAST = Timings(
    lease=timedelta(seconds=60), poll_interval_s=0.05, connect_timeout_s=0.5, send_timeout_s=0.5
)


def settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(fresh_database)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def team_id(sessionmaker: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    async with sessionmaker() as session, session.begin():
        return (await create_team(session)).id


def dispatcher(sessionmaker: async_sessionmaker[AsyncSession], **options: Any) -> Dispatcher:
    configured = settings(**options.pop("settings", {}))
    return Dispatcher(configured, sessionmaker, timings=options.pop("timings", FAST), **options)


async def add_channel(
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    target: str,
    kind: ChannelKind = ChannelKind.WEBHOOK,
) -> NotificationChannel:
    channel = NotificationChannel(
        kind=kind,
        name=f"{kind.value} {target}"[:200],
        target=target,
        owner_team_id=team_id,
        events=[NotificationEvent.SLA_BREACHED.value],
        secret=new_secret(),
    )
    async with sessionmaker() as session, session.begin():
        session.add(channel)
    return channel


def notice(key: str, **overrides: Any) -> Notice:
    values: dict[str, Any] = {
        "event": NotificationEvent.SLA_BREACHED,
        "key": key,
        "occurred_at": datetime(2026, 12, 6, 3, 0, tzinfo=UTC),
        "data": {"sla": f"U0xBOn{key}"},
        "title": f"SLA breached ({key})",
        "lines": ["Availability 99.2 %"],
        "link": "/slas/1",
    }
    return Notice(**(values | overrides))


async def enqueued(
    sessionmaker: async_sessionmaker[AsyncSession], *notices: Notice
) -> list[uuid.UUID]:
    """The notices' deliveries, committed; their ids in the order of the notices' keys."""
    async with sessionmaker() as session, session.begin():
        await enqueue(session, notices)
        keys = [item.key for item in notices]
        rows = await session.execute(
            select(Delivery.id, Delivery.event_key).where(Delivery.event_key.in_(keys))
        )
        by_key = {key: delivery_id for delivery_id, key in rows}
    return [by_key[key] for key in keys]


async def state(engine: AsyncEngine, delivery_id: uuid.UUID) -> Row[Any]:
    async with engine.connect() as connection:
        result = await connection.execute(
            text(
                "SELECT status, attempts, last_error, next_attempt_at, delivered_at, now() AS now"
                " FROM notification_delivery WHERE id = :id"
            ),
            {"id": delivery_id},
        )
        return result.one()


async def move(engine: AsyncEngine, delivery_id: uuid.UUID, assignments: str) -> None:
    """Time passes for one delivery: e.g. `next_attempt_at = now()`."""
    async with engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE notification_delivery SET {assignments} WHERE id = :id"),
            {"id": delivery_id},
        )


async def test_a_due_delivery_is_sent_signed_and_recorded_delivered(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    channel = await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))

    async with dispatcher(sessionmaker) as sending:
        assert await sending.dispatch_once() == 1
        assert await sending.dispatch_once() == 0

    [request] = receiver.received
    assert request.headers["webhook-id"] == str(delivery_id)
    assert Webhook(channel.secret).verify(request.body, request.headers) == {
        "type": "sla.breached",
        "timestamp": "2026-12-06T03:00:00+00:00",
        "data": {"sla": "U0xBOna"},
    }
    row = await state(engine, delivery_id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("DELIVERED", 1, None)
    assert row.delivered_at is not None


async def test_a_receiver_down_gets_the_same_delivery_once_it_is_back(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))
    await receiver.stop()

    async with dispatcher(sessionmaker) as sending:
        await sending.dispatch_once()
        failed = await state(engine, delivery_id)
        await receiver.start()
        await move(engine, delivery_id, "next_attempt_at = now()")
        assert await sending.dispatch_once() == 1

    assert (failed.status, failed.attempts) == ("FAILED", 1)
    assert "could not reach the receiver" in failed.last_error
    assert [request.headers["webhook-id"] for request in receiver.received] == [str(delivery_id)]
    row = await state(engine, delivery_id)
    assert (row.status, row.attempts) == ("DELIVERED", 2)


async def test_a_5xx_is_retried_later_with_backoff_and_counted(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))
    receiver.answer("/hook", 503)
    backoff = Backoff(first=timedelta(seconds=30))

    async with dispatcher(sessionmaker, backoff=backoff) as sending:
        await sending.dispatch_once()
        first = await state(engine, delivery_id)
        assert await sending.dispatch_once() == 0  # not due yet
        await move(engine, delivery_id, "next_attempt_at = now()")
        await sending.dispatch_once()
        second = await state(engine, delivery_id)

    assert (first.status, first.attempts, first.last_error) == (
        "FAILED",
        1,
        "HTTP 503 Service Unavailable",
    )
    wait = first.next_attempt_at - first.now
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=31)
    assert (second.status, second.attempts) == ("FAILED", 2)
    assert timedelta(seconds=30) <= second.next_attempt_at - second.now <= timedelta(seconds=61)
    assert len(receiver.received) == 2


async def test_retry_after_is_honoured(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))
    receiver.answer("/hook", 429, retry_after="600")

    async with dispatcher(sessionmaker) as sending:
        await sending.dispatch_once()

    row = await state(engine, delivery_id)
    assert row.status == "FAILED"
    assert timedelta(seconds=599) <= row.next_attempt_at - row.now <= timedelta(seconds=601)


async def test_a_day_of_failures_is_given_up(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))
    receiver.answer("/hook", 500)
    await move(
        engine,
        delivery_id,
        "created_at = now() - interval '1 day 1 minute', status = 'FAILED', attempts = 30,"
        " next_attempt_at = now() - interval '1 second'",
    )

    async with dispatcher(sessionmaker) as sending:
        await sending.dispatch_once()

    row = await state(engine, delivery_id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("DEAD", 31, None)
    assert row.last_error == "HTTP 500 Internal Server Error; given up after 31 attempts"


async def test_a_4xx_is_given_up_at_once(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))
    receiver.answer("/hook", 400)

    async with dispatcher(sessionmaker) as sending:
        await sending.dispatch_once()

    row = await state(engine, delivery_id)
    assert (row.status, row.attempts, row.last_error) == ("DEAD", 1, "HTTP 400 Bad Request")


async def test_410_disables_the_channel_and_its_other_deliveries_die_unsent(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    channel = await add_channel(sessionmaker, team_id, receiver.url())
    [first] = await enqueued(sessionmaker, notice("a"))
    receiver.answer("/hook", 410)

    async with dispatcher(sessionmaker) as sending:
        await sending.dispatch_once()
        [second] = await enqueued(sessionmaker, notice("b", channel_id=channel.id))
        await sending.dispatch_once()

    assert (await state(engine, first)).status == "DEAD"
    later = await state(engine, second)
    assert (later.status, later.last_error) == ("DEAD", "channel disabled")
    assert len(receiver.received) == 1
    async with engine.connect() as connection:
        active, reason, version = (
            await connection.execute(
                select(
                    NotificationChannel.active,
                    NotificationChannel.disabled_reason,
                    NotificationChannel.version,
                ).where(NotificationChannel.id == channel.id)
            )
        ).one()
    assert (active, version) == (False, 2)
    assert reason is not None
    assert reason.startswith("HTTP 410 Gone on ")


async def test_a_private_url_is_refused_at_send_time_unless_allowed(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))

    async with dispatcher(sessionmaker, settings={"webhook_allow_private": False}) as sending:
        await sending.dispatch_once()

    row = await state(engine, delivery_id)
    assert row.status == "DEAD"
    assert "private or local address (127.0.0.1)" in row.last_error
    assert receiver.received == []


async def test_two_dispatchers_send_each_delivery_exactly_once(
    fresh_database: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    for path in ("/one", "/two"):
        await add_channel(sessionmaker, team_id, receiver.url(path))
        receiver.answer(path, delay_s=0.01)
    ids = await enqueued(sessionmaker, *(notice(f"n{n}") for n in range(15)))
    engines = [make_engine(fresh_database), make_engine(fresh_database)]
    sent: list[int] = []

    async def drain(sending: Dispatcher) -> None:
        while count := await sending.dispatch_once():
            sent.append(count)

    try:
        workers = [dispatcher(make_sessionmaker(each), batch_size=4) for each in engines]
        async with workers[0], workers[1]:
            await asyncio.gather(*(drain(worker) for worker in workers))
    finally:
        for each in engines:
            await each.dispose()

    assert sum(sent) == 30  # 15 notices to 2 channels
    webhook_ids = [request.headers["webhook-id"] for request in receiver.received]
    assert len(webhook_ids) == 30
    assert len(set(webhook_ids)) == 30
    assert len(ids) == 15
    async with sessionmaker() as session:
        statuses = await session.scalars(select(Delivery.status).distinct())
        assert list(statuses) == ["DELIVERED"]


async def test_a_slow_receiver_does_not_hold_up_another_channel(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url("/slow"))
    await add_channel(sessionmaker, team_id, receiver.url("/fast"))
    receiver.answer("/slow", delay_s=3)
    await enqueued(sessionmaker, notice("a"))
    started = time.monotonic()

    async with dispatcher(sessionmaker) as sending:
        assert await sending.dispatch_once() == 2
    took = time.monotonic() - started

    [fast] = receiver.at("/fast")
    [slow] = receiver.at("/slow")
    assert fast.at < slow.at + FAST.send_timeout_s  # sent side by side, not after it
    assert took < 2  # the slow one was cut off at the send timeout (0.5 s)
    async with sessionmaker() as session:
        rows = await session.execute(
            select(NotificationChannel.target, Delivery.status, Delivery.last_error).join(
                NotificationChannel, Delivery.channel_id == NotificationChannel.id
            )
        )
        outcomes = {target.rsplit("/", 1)[1]: (status, error) for target, status, error in rows}
    assert outcomes == {"fast": ("DELIVERED", None), "slow": ("FAILED", "no answer within 0.5 s")}


async def test_a_rolled_back_enqueue_sends_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    async with sessionmaker() as session:
        assert await enqueue(session, [notice("a")]) == 1
        await session.rollback()

    async with dispatcher(sessionmaker) as sending:
        assert await sending.dispatch_once() == 0
    assert receiver.received == []


async def test_a_lease_that_runs_out_lets_another_worker_send_it_with_the_same_id(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))
    short = Timings(lease=timedelta(seconds=0.3), send_timeout_s=0.5, connect_timeout_s=0.5)

    async with (
        dispatcher(sessionmaker, timings=short) as crashed,
        dispatcher(sessionmaker) as other,
    ):
        [claimed] = await crashed._claim()  # then it dies before sending
        assert await other.dispatch_once() == 0  # leased
        await asyncio.sleep(0.35)
        assert await other.dispatch_once() == 1

    assert claimed.id == delivery_id
    assert [request.headers["webhook-id"] for request in receiver.received] == [str(delivery_id)]
    assert (await state(engine, delivery_id)).status == "DELIVERED"


async def test_an_email_channel_sends_one_message_per_address(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
) -> None:
    await add_channel(sessionmaker, team_id, "ana@example.test, bo@example.test", ChannelKind.EMAIL)
    [delivery_id] = await enqueued(sessionmaker, notice("a"))

    with SmtpCapture() as smtp:
        configured = {"smtp_url": smtp.url, "public_url": "https://catalog.example.test"}
        async with dispatcher(sessionmaker, settings=configured) as sending:
            await sending.dispatch_once()

    assert sorted(message["To"] for message in smtp.messages) == [
        "ana@example.test",
        "bo@example.test",
    ]
    assert {message["X-Catalog-Delivery-Id"] for message in smtp.messages} == {str(delivery_id)}
    assert smtp.messages[0]["Subject"] == "SLA breached (a)"
    assert "https://catalog.example.test/slas/1" in smtp.messages[0].as_string()
    assert (await state(engine, delivery_id)).status == "DELIVERED"


async def test_an_email_to_a_person_waits_while_no_smtp_server_is_set(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    person = Recipient("ana@example.test")
    [delivery_id] = await enqueued(sessionmaker, notice("a", recipients=[person]))

    async with dispatcher(sessionmaker) as sending:
        await sending.dispatch_once()
    waiting = await state(engine, delivery_id)
    await move(engine, delivery_id, "next_attempt_at = now()")
    with SmtpCapture() as smtp:
        async with dispatcher(sessionmaker, settings={"smtp_url": smtp.url}) as sending:
            await sending.dispatch_once()

    assert (waiting.status, waiting.last_error) == ("FAILED", "CATALOG_SMTP_URL is not set")
    assert [message["To"] for message in smtp.messages] == ["ana@example.test"]
    assert (await state(engine, delivery_id)).status == "DELIVERED"


async def test_running_it_sends_new_deliveries_when_told_without_waiting_for_a_poll(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    slow_poll = Timings(poll_interval_s=30, connect_timeout_s=0.5, send_timeout_s=0.5)
    stop = asyncio.Event()

    async with Dispatcher.for_engine(
        settings(), engine, sessionmaker, timings=slow_poll
    ) as sending:
        running = asyncio.create_task(sending.run(stop))
        await asyncio.sleep(0.2)  # listening, nothing due
        [delivery_id] = await enqueued(sessionmaker, notice("a"))
        await receiver.wait_for(1, timeout_s=3)
        stop.set()
        await asyncio.wait_for(running, timeout=3)

    assert [request.headers["webhook-id"] for request in receiver.received] == [str(delivery_id)]


async def test_running_it_survives_an_unreachable_database(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/none")
    stop = asyncio.Event()
    try:
        async with dispatcher(make_sessionmaker(unreachable)) as sending:
            running = asyncio.create_task(sending.run(stop))
            await asyncio.sleep(0.3)
            assert not running.done()
            stop.set()
            await asyncio.wait_for(running, timeout=3)
    finally:
        await unreachable.dispose()

    assert "cannot claim deliveries" in caplog.text


async def test_the_worker_sends_deliveries_beside_its_jobs_until_stopped(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    team_id: uuid.UUID,
    receiver: HttpReceiver,
) -> None:
    await add_channel(sessionmaker, team_id, receiver.url())
    [delivery_id] = await enqueued(sessionmaker, notice("a"))
    scheduler = Scheduler(JobContext(settings(), engine, sessionmaker), jobs=[])

    worker = asyncio.create_task(run_jobs_and_deliveries(scheduler))
    await receiver.wait_for(1, timeout_s=5)
    scheduler.stop.set()
    await asyncio.wait_for(worker, timeout=5)

    assert [request.headers["webhook-id"] for request in receiver.received] == [str(delivery_id)]
