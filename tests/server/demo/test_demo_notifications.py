"""The demo's webhook channel, as a person trying it sees it: signed SLA and clock
deliveries arriving at a receiver, verified with the channel's secret from the seed."""

from __future__ import annotations

import json

from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from core.db import make_engine, make_sessionmaker
from core.settings import load_settings
from notifications.dispatcher import Dispatcher
from notifications.models import Delivery, DeliveryStatus, NotificationChannel
from server.demo.notifications import DEMO_WEBHOOK_NAME
from server.demo.seed import seed_demo_report
from server.jobs import JobContext
from server.jobs.clock_events import record_clock_events
from tests.notifications.receivers import HttpReceiver


async def test_the_demo_channel_receives_signed_sla_and_clock_breaches(
    fresh_database: str,
) -> None:
    report = await seed_demo_report(fresh_database)
    assert report.webhook_secret is not None
    assert report.webhook_secret in (report.webhook_note() or "")
    settings = load_settings(database_url=fresh_database, _env_file=None)
    engine = make_engine(fresh_database)
    sessionmaker = make_sessionmaker(engine)
    try:
        async with HttpReceiver() as receiver:
            async with sessionmaker() as session, session.begin():
                await session.execute(
                    update(NotificationChannel)
                    .where(NotificationChannel.name == DEMO_WEBHOOK_NAME)
                    .values(target=receiver.url("/webhooks"))
                )
            await record_clock_events(JobContext(settings, engine, sessionmaker))
            async with Dispatcher(settings, sessionmaker) as dispatcher:
                while await dispatcher.dispatch_once():
                    pass

            verifier = Webhook(report.webhook_secret)
            bodies = [verifier.verify(item.body, item.headers) for item in receiver.received]
            ids = [item.headers["webhook-id"] for item in receiver.received]
        async with sessionmaker() as session:
            statuses = list(await session.scalars(select(Delivery.status)))
    finally:
        await engine.dispose()

    types = {body["type"] for body in bodies}
    assert {"sla.breached", "clock.breached"} <= types
    assert len(ids) == len(set(ids)) == len(statuses)
    assert set(statuses) == {DeliveryStatus.DELIVERED}
    breach = next(body for body in bodies if body["type"] == "clock.breached")
    assert {"serviceId", "clock", "threshold"} <= set(breach["data"])
    assert json.dumps(breach["data"])  # plain JSON values only
