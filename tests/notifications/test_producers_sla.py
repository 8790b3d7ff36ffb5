"""SLA events notify the channels that want them, once, in the evaluation's transaction."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.services.models import Tier
from core.clock import utcnow
from core.ids import encode_global_id
from core.settings import Settings
from notifications.models import NotificationEvent
from notifications.notices.sla_events import sla_event_notices
from notifications.outbox import enqueue
from server.jobs.sla_evaluation import evaluate_slas
from service_levels.evaluation import evaluate_objectives
from service_levels.models import SlaEvent
from tests.builders.catalog import create_service
from tests.builders.service_levels import create_sla, responses
from tests.notifications.channel_builders import create_channel
from tests.notifications.producers import deliveries, job_context

BREACHED = [NotificationEvent.SLA_BREACHED.value]


async def test_a_breach_reaches_a_subscribed_channel_once(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    service = await create_service(session, tier=Tier.TIER_1, name="Portal")
    await responses(session, service.id, [45], at=utcnow() - timedelta(seconds=5))
    sla = await create_sla(session, service.id, 0.9)
    wanted = await create_channel(session, events=BREACHED)
    await create_channel(session, events=[NotificationEvent.SLA_AT_RISK.value])
    await create_channel(session, events=BREACHED, service_ids=[uuid.uuid4()])
    context = job_context(settings, engine, sessionmaker)

    await evaluate_slas(context)
    await evaluate_slas(context)

    [delivery] = await deliveries(session)
    [event] = await session.scalars(select(SlaEvent).where(SlaEvent.sla_id == sla.id))
    assert delivery.channel_id == wanted.id
    assert delivery.event_key == f"sla-event:{event.id}"
    assert delivery.body["type"] == "sla.breached"
    assert delivery.body["data"] == {
        "slaEventId": encode_global_id("SlaEvent", uuid.UUID(int=event.id)),
        "serviceId": encode_global_id("Service", service.id),
        "slaId": encode_global_id("Sla", sla.id),
        "objectiveId": encode_global_id("Objective", event.objective_id),
        "kind": "SLA_BREACHED",
        "value": 0.0,
        "target": 0.9,
    }
    assert delivery.message["title"] == "SLA breached: Portal — Gold support"


async def test_an_evaluation_rolled_back_notifies_nobody(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await responses(session, service.id, [45], at=utcnow() - timedelta(seconds=5))
    await create_sla(session, service.id, 0.9)
    await create_channel(session, events=BREACHED)

    async with sessionmaker() as job:
        summary = await evaluate_objectives(job, utcnow())
        assert summary.breaches == 1
        assert await enqueue(job, await sla_event_notices(job, summary.recorded)) == 1
        await job.rollback()  # the job failed after writing

    assert await deliveries(session) == []
