"""`service-catalog worker --once`: a job run now, in a process of its own, as operators do."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from catalog.services.models import Tier
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from service_levels.models import SlaEvent, SlaEventKind
from tests.builders.catalog import create_service
from tests.builders.service_levels import create_sla, responses

COMMAND = Path(sys.executable).parent / "service-catalog"


def _worker(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env["CATALOG_DATABASE_URL"] = database_url
    return subprocess.run(
        [str(COMMAND), "worker", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_worker_evaluates_slas_once_when_asked(fresh_database: str) -> None:
    engine = make_engine(fresh_database)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            service = await create_service(session, tier=Tier.TIER_1)
            await responses(session, service.id, [10, 45], at=utcnow() - timedelta(days=1))
            sla = await create_sla(session, service.id, 0.9, rolling_days=30)

        ran = _worker(fresh_database, "--once", "sla-evaluation", "--once", "clock-restamp")

        assert ran.returncode == 0, ran.stderr
        lines = ran.stdout.splitlines()
        assert lines[0].startswith("sla-evaluation: evaluated 1 objectives, recorded 1 breaches")
        assert lines[1].startswith("clock-restamp: re-stamped")
        async with make_sessionmaker(engine)() as session:
            kinds = list(
                await session.scalars(select(SlaEvent.kind).where(SlaEvent.sla_id == sla.id))
            )
        assert kinds == [SlaEventKind.SLA_BREACHED]
    finally:
        await engine.dispose()


def test_an_unknown_job_is_refused_naming_the_jobs(fresh_database: str) -> None:
    ran = _worker(fresh_database, "--once", "tidy-up")

    assert ran.returncode == 2
    assert "unknown job 'tidy-up'" in ran.stderr
    assert "sla-evaluation" in ran.stderr
