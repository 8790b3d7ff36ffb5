"""The demo's shared responsibility: after the Trust jobs' first runs, the demo SEV1 during a
Salesforce maintenance overrun counts partly against the vendor, and the next three seasons'
releases exist with each demo org's dates and readiness assessments to fill in."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from core.db import make_engine, make_sessionmaker
from core.settings import load_settings
from server.demo import seed_demo
from server.demo.salesforce import start_demo_salesforce
from server.jobs import JOBS, JobContext
from work.incidents.models import Incident
from work.incidents.vendor_time import vendor_attribution_by_incident_ids
from work.releases.models import ReadinessAssessment, Release, ReleaseKind, ReleaseOrgSchedule

SEV1 = "Global CRM degraded during a Salesforce maintenance overrun"


async def test_the_trust_jobs_attribute_the_demo_sev1_and_plan_three_seasons(
    fresh_database: str, tmp_path: Path
) -> None:
    await seed_demo(fresh_database)
    demo = start_demo_salesforce(
        load_settings(_env_file=None, data_dir=tmp_path, database_url=fresh_database)
    )
    assert demo is not None
    engine = make_engine(fresh_database)
    sessionmaker = make_sessionmaker(engine)
    try:
        context = JobContext(demo.settings, engine, sessionmaker)
        incidents = await JOBS["salesforce-trust-incidents"].run(context)
        calendar = await JOBS["salesforce-trust-calendar"].run(context)
        async with sessionmaker() as session:
            sev1 = await session.scalar(select(Incident).where(Incident.title == SEV1))
            assert sev1 is not None
            attribution = (await vendor_attribution_by_incident_ids(session, [sev1.id]))[sev1.id]
            seasonal = (
                await session.scalars(
                    select(Release.name)
                    .where(
                        Release.kind == ReleaseKind.SALESFORCE_SEASONAL,
                        Release.id.in_(select(ReleaseOrgSchedule.release_id)),
                    )
                    .order_by(Release.production_on)
                )
            ).all()
            dates = await session.scalar(select(func.count()).select_from(ReleaseOrgSchedule))
            opened = await session.scalar(select(func.count()).select_from(ReadinessAssessment))
    finally:
        await engine.dispose()
        demo.fake.stop()

    assert incidents == "Trust incidents of 7 of 7 instances read (2 records)"
    assert calendar.startswith("Trust maintenances of 7 of 7 instances read (6 records);")
    assert attribution.seconds > 0
    assert sorted(name[:6] for name in seasonal) == ["Spring", "Summer", "Winter"]
    assert dates == 3 * 8  # every demo org, each season
    assert opened is not None
    assert opened > 0
