"""The registered Trust jobs against the fake Trust API: vendor incidents every 15 minutes and
the maintenance calendar daily (planning the seasonal releases), idempotent, and a Trust API
that is down reported while the last good data is kept (and left to go stale)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from catalog.trust.models import (
    INCIDENTS,
    MAINTENANCES,
    TrustSync,
    VendorIncident,
    VendorMaintenance,
)
from core.db import make_engine, make_sessionmaker
from core.settings import load_settings
from identity.models import TeamKind
from salesforce.fake import FakeSalesforce
from server.jobs import JOBS, JobContext
from server.jobs.salesforce_trust import NO_TRUST
from tests.builders.catalog import create_org
from tests.builders.identity import create_team

# The fake Salesforce, as the Salesforce tests have it.
from tests.salesforce.conftest import ca, ca_bundle, fake  # noqa: F401

NOW = datetime.now(UTC)


async def test_the_jobs_read_every_instance_idempotently_and_report_a_trust_api_down(
    ca_bundle: Path,  # noqa: F811
    fresh_database: str,
    fake: FakeSalesforce,  # noqa: F811
) -> None:
    settings = load_settings(
        database_url=fresh_database,
        _env_file=None,
        salesforce_trust_url=fake.trust_url,
        salesforce_ca_bundle=ca_bundle,
        salesforce_timeout_s=1.0,
    )
    engine = make_engine(fresh_database)
    sessionmaker = make_sessionmaker(engine)
    context = JobContext(settings, engine, sessionmaker)
    incidents, calendar = JOBS["salesforce-trust-incidents"], JOBS["salesforce-trust-calendar"]
    fake.trust.add_incident(["NA135", "EU45"], NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    fake.trust.add_incident(["EU45"], NOW - timedelta(minutes=30))
    fake.trust.add_incident(["AP7"], NOW - timedelta(minutes=30))  # no org of ours
    start = NOW + timedelta(days=60)
    fake.trust.add_maintenance(
        ["NA135"], "Spring '27 Major Release", start, start + timedelta(hours=5)
    )
    try:
        async with sessionmaker() as session, session.begin():
            await create_org(session, instance_key="NA135")
            await create_org(session, instance_key="EU45")
            await create_team(session, kind=TeamKind.PLATFORM)
        first = await incidents.run(context)
        again = await incidents.run(context)
        read = await calendar.run(context)
        reread = await calendar.run(context)
        async with sessionmaker() as session:
            good = await session.get(TrustSync, INCIDENTS)
            assert good is not None
            synced_at = good.synced_at
        fake.trust.failing = True
        down = await incidents.run(context)
        async with sessionmaker() as session:
            stored = await session.scalar(select(func.count()).select_from(VendorIncident))
            maintenances = await session.scalar(select(func.count()).select_from(VendorMaintenance))
            state = await session.get(TrustSync, INCIDENTS)
            calendar_state = await session.get(TrustSync, MAINTENANCES)
    finally:
        await engine.dispose()

    assert incidents.every == timedelta(minutes=15)
    assert calendar.every == timedelta(days=1)
    assert first == again == "Trust incidents of 2 of 2 instances read (2 records)"
    assert read == (
        "Trust maintenances of 2 of 2 instances read (1 records); 1 seasonal releases planned"
        " (Spring '27); 1 created, 1 org dates, 0 readiness assessments opened,"
        " 0 upgrade freezes made or moved"
    )
    assert reread == read.replace("1 created", "0 created")
    assert (stored, maintenances) == (2, 1)
    assert down.startswith("Trust incidents of 0 of 2 instances read (0 records); EU45: ")
    assert state is not None
    assert calendar_state is not None
    assert state.synced_at == synced_at  # kept: the data goes stale instead of being guessed
    assert state.error is not None
    assert "EU45" in state.error


async def test_without_a_trust_url_the_jobs_say_so(fresh_database: str) -> None:
    settings = load_settings(database_url=fresh_database, _env_file=None)
    engine = make_engine(fresh_database)
    try:
        context = JobContext(settings, engine, make_sessionmaker(engine))
        found = [
            await JOBS[name].run(context)
            for name in ("salesforce-trust-incidents", "salesforce-trust-calendar")
        ]
    finally:
        await engine.dispose()

    assert found == [NO_TRUST, NO_TRUST]
