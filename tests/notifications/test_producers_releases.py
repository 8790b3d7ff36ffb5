"""RELEASE_READINESS_DUE: a release shipping within a week that a service is not ready for
notifies the channels of its services, once per planned date."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import utcnow
from core.ids import encode_global_id
from core.settings import Settings
from notifications.models import NotificationEvent
from server.jobs.daily_notices import notify_release_readiness
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.kit import add
from tests.builders.work import create_release
from tests.notifications.channel_builders import create_channel
from tests.notifications.producers import deliveries, job_context
from work.releases.models import ReadinessAssessment, ReadinessRisk

DUE = [NotificationEvent.RELEASE_READINESS_DUE.value]


async def test_a_release_due_soon_without_readiness_is_notified_once(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    team = await create_team(session)
    ready = await create_service(session, owner_team_id=team.id, name="Billing")
    unassessed = await create_service(session, owner_team_id=team.id, name="Portal")
    soon = utcnow().date() + timedelta(days=3)
    release = await create_release(
        session,
        owner_team_id=team.id,
        service_ids=(ready.id, unassessed.id),
        planned_on=soon,
        name="Winter",
    )
    await add(
        session,
        ReadinessAssessment(
            release_id=release.id, service_id=ready.id, risk=ReadinessRisk.LOW, ready=True
        ),
    )
    later = await create_release(
        session,
        owner_team_id=team.id,
        service_ids=(unassessed.id,),
        planned_on=soon + timedelta(days=30),
    )
    channel = await create_channel(session, events=DUE, service_ids=[unassessed.id])
    context = job_context(settings, engine, sessionmaker)

    await notify_release_readiness(context)
    await notify_release_readiness(context)

    [delivery] = await deliveries(session)
    assert delivery.channel_id == channel.id
    assert delivery.event_key == f"release-readiness:{release.id}:{soon.isoformat()}"
    assert str(later.id) not in delivery.event_key
    assert delivery.body["type"] == "release.readiness_due"
    assert delivery.body["data"] == {
        "releaseId": encode_global_id("Release", release.id),
        "serviceIds": [
            encode_global_id("Service", ready.id),
            encode_global_id("Service", unassessed.id),
        ],
        "plannedOn": soon.isoformat(),
    }
    assert delivery.message["title"] == f"Readiness due: Winter ships on {soon.isoformat()}"
    assert delivery.message["lines"] == ["Portal: not assessed"]
