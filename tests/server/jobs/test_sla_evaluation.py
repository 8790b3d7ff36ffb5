"""The worker evaluates SLAs every five minutes and reports what it recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.services.models import Tier
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.settings import load_settings
from server.jobs import JOBS, JobContext, Scheduler, evaluate_slas, run_slot
from service_levels.models import SlaEvent, SlaEventKind
from tests.builders.catalog import create_service
from tests.builders.service_levels import create_sla, responses
from tests.server.jobs.test_scheduler import starting_now


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    made = make_engine(fresh_database)
    yield made
    await made.dispose()


def _context(engine: AsyncEngine) -> JobContext:
    settings = load_settings(database_url="postgresql://unused/unused", _env_file=None)
    return JobContext(settings, engine, make_sessionmaker(engine))


def test_sla_evaluation_is_scheduled_every_five_minutes_for_every_worker(
    engine: AsyncEngine,
) -> None:
    assert JOBS["sla-evaluation"].every == timedelta(minutes=5)
    assert JOBS["sla-evaluation"].run is evaluate_slas
    # `worker` and `serve --with-worker` both run a Scheduler of every registered job.
    names = [job.name for job in Scheduler(_context(engine)).jobs]
    assert "sla-evaluation" in names


async def test_the_job_records_a_breach_commits_it_and_summarises(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        service = await create_service(session, tier=Tier.TIER_1)
        await responses(session, service.id, [45, 10], at=utcnow() - timedelta(seconds=5))
        await create_sla(session, service.id, 0.9, 0.25)
        await session.commit()

    summary = await run_slot(
        starting_now("test-sla-evaluation", 1, evaluate_slas), _context(engine)
    )

    assert summary == "evaluated 2 objectives, recorded 1 breaches, 0 at risk, 0 recoveries"
    async with sessions() as session:
        kinds = await session.execute(select(SlaEvent.kind, func.count()).group_by(SlaEvent.kind))
        assert dict(kinds.all()) == {SlaEventKind.SLA_BREACHED: 1}
