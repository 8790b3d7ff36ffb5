"""The demo's Event Monitoring: a quarter of logs served by the demo fake and read on the
first run of the `salesforce-event-logs` job; two services sharing Global CRM show different
adoption, and the night's bulk export from Brazil is flagged on Opportunity Pipeline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from catalog.event_monitoring.models import DataAccess
from catalog.event_monitoring.repository import adoption, data_access_query
from catalog.services.models import Service
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.settings import load_settings
from server.demo import seed_demo
from server.demo.salesforce import start_demo_salesforce
from server.jobs import JOBS, JobContext


async def test_the_first_job_run_reads_the_quarter_of_demo_event_logs(
    fresh_database: str, tmp_path: Path
) -> None:
    await seed_demo(fresh_database)
    demo = start_demo_salesforce(
        load_settings(_env_file=None, data_dir=tmp_path, database_url=fresh_database)
    )
    assert demo is not None
    engine = make_engine(fresh_database)
    sessionmaker = make_sessionmaker(engine)
    now = utcnow()
    try:
        summary = await JOBS["salesforce-event-logs"].run(
            JobContext(demo.settings, engine, sessionmaker)
        )
        again = await JOBS["salesforce-event-logs"].run(
            JobContext(demo.settings, engine, sessionmaker)
        )
        async with sessionmaker() as session:
            services = {
                service.slug: service
                for service in await session.scalars(
                    select(Service).where(
                        Service.slug.in_(["opportunity-pipeline", "case-management"])
                    )
                )
            }
            pipeline, cases = services["opportunity-pipeline"], services["case-management"]
            figures = await adoption(
                session, [pipeline.id, cases.id], (now - timedelta(days=30)).date(), now.date()
            )
            accesses = list(
                await session.scalars(
                    data_access_query(pipeline, now - timedelta(days=92), now).order_by(
                        DataAccess.at
                    )
                )
            )
            on_cases = list(
                await session.scalars(data_access_query(cases, now - timedelta(days=92), now))
            )
    finally:
        await engine.dispose()
        demo.fake.stop()

    assert summary.startswith("event logs of 2 of 3 production orgs read; Global CRM: 540 log")
    assert "Partner Community: Event Monitoring is not licensed" in summary
    assert "Global CRM: 0 log files" in again
    pipeline_users, cases_users = figures[pipeline.id][0][1], figures[cases.id][0][1]
    assert pipeline_users >= 14
    assert cases_users >= 14
    assert pipeline_users != cases_users
    flagged = [access for access in accesses if "NEW_COUNTRY" in access.anomalies]
    assert [(a.action, a.rows, a.country, sorted(a.anomalies)) for a in flagged] == [
        (
            "EXPORT",
            250_000,
            "Brazil",
            ["LARGE_EXPORT", "NEW_COUNTRY", "NEW_IP_RANGE", "UNUSUAL_HOUR"],
        )
    ]
    assert all(access.object_name in ("Case", "EmailMessage") for access in on_cases)
