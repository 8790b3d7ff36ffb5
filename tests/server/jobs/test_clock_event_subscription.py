"""`clockEvents` pushes a clock event to its subscribers when the job's run commits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.services.models import Tier
from core.clock import utcnow
from core.db import make_engine
from core.settings import Settings
from graphql_schema.node import global_id
from server.jobs.clock_events import record_clock_events
from server.jobs.context import JobContext
from service_levels.clock_stamps import restamp_requests
from tests.builders.catalog import create_service
from tests.builders.work import request_with_moves
from tests.dev_token import DEV_AUTHORIZATION
from tests.server.test_live_updates import (
    Running,
    _settings,
    receive,
    serve,
    subscribe,
    subscribed,
)
from work.requests.models import RequestStatus

__all__ = ["serve"]

CLOCK_EVENTS = """
subscription Clocks($serviceId: ID) {
  clockEvents(serviceId: $serviceId) {
    subjectKind subjectId clock threshold service { slug }
  }
}
"""


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    made = make_engine(fresh_database)
    yield made
    await made.dispose()


async def test_a_clock_breach_is_pushed_to_the_subscribers_of_its_service(
    serve: Callable[[Settings], Awaitable[Running]],
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
) -> None:
    async with sessions() as session:
        portal = await create_service(session, slug="portal", tier=Tier.TIER_1)
        request = await request_with_moves(
            session,
            [(utcnow() - timedelta(minutes=40), RequestStatus.NEW)],
            service_id=portal.id,
        )
        await restamp_requests(session, [request.id])
        await session.commit()
    running = await serve(_settings())
    context = JobContext(_settings(), engine, sessions)

    async with subscribed(running, DEV_AUTHORIZATION) as websocket:
        variables = {"serviceId": global_id("Service", portal.id)}
        await subscribe(websocket, "clocks", CLOCK_EVENTS, variables)
        await running.subscribers(1)
        assert await record_clock_events(context) == "recorded 1 warnings, 1 breaches"
        pushed = [await receive(websocket), await receive(websocket)]

    events = sorted(
        (item["payload"]["data"]["clockEvents"] for item in pushed),
        key=lambda event: str(event["threshold"]),
    )
    assert events == [
        {
            "subjectKind": "REQUEST",
            "subjectId": global_id("ServiceRequest", request.id),
            "clock": "RESPONSE",
            "threshold": threshold,
            "service": {"slug": "portal"},
        }
        for threshold in ("BREACHED", "WARNING")
    ]
