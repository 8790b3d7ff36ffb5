"""The registered `salesforce-event-logs` job against the fake: hourly at :40, its settings
honoured (the export threshold, the backfill), and an org that is down reported while the
others are read; the next run picks up where it stopped."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from catalog.event_monitoring.models import DataAccess
from catalog.services.models import DataClassification
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.salesforce_settings import SalesforceOrgConfig
from core.settings import load_settings
from salesforce.fake import FakeOrg
from salesforce.fake.event_logs import add_log_file, rows_file
from server.jobs import JOBS, JobContext
from server.jobs.salesforce_gateway import NO_ORGS
from tests.builders.catalog import create_org, create_service
from tests.salesforce.conftest import (  # noqa: F401
    app_key,
    ca,
    ca_bundle,
    crm,
    fake,
    org_configs,
    partners,
)
from tests.salesforce.event_logs import ANA


async def test_the_job_reads_hourly_with_its_settings_and_resumes_an_org_that_was_down(
    org_configs: dict[str, SalesforceOrgConfig],  # noqa: F811
    ca_bundle: Path,  # noqa: F811
    fresh_database: str,
    crm: FakeOrg,  # noqa: F811
    partners: FakeOrg,  # noqa: F811
) -> None:
    settings = load_settings(
        database_url=fresh_database,
        _env_file=None,
        salesforce_orgs=org_configs,
        salesforce_ca_bundle=ca_bundle,
        salesforce_timeout_s=1.0,
        event_monitoring_export_rows=100,
        event_monitoring_backfill_days=2,
    )
    engine = make_engine(fresh_database)
    sessionmaker = make_sessionmaker(engine)
    job = JOBS["salesforce-event-logs"]
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    for fake_org, days_ago in ((crm, 1), (crm, 5), (partners, 1)):
        export = {"TIMESTAMP_DERIVED": f"{today - timedelta(days=days_ago):%Y-%m-%d}T10:00:00.000Z",
                  "USER_ID_DERIVED": ANA, "ENTITY_NAME": "Opportunity", "ROW_COUNT": "150",
                  "REQUEST_ID": f"r{days_ago}"}  # fmt: skip
        add_log_file(fake_org, "ReportExport", today - timedelta(days=days_ago),
                     rows_file("ReportExport", [export]))  # fmt: skip
    try:
        async with sessionmaker() as session, session.begin():
            for fake_org, name in ((crm, "CRM"), (partners, "PRM")):
                ref = "crm" if fake_org is crm else "partners"
                org = await create_org(
                    session, org_id=fake_org.org_id, credentials_ref=ref, name=name
                )
                await create_service(session, orgs=[org], salesforce_objects=["Opportunity"],
                                     data_classification=DataClassification.RESTRICTED)  # fmt: skip
        partners.failing = True
        down = await job.run(JobContext(settings, engine, sessionmaker))
        partners.heal()
        healed = await job.run(JobContext(settings, engine, sessionmaker))
        async with sessionmaker() as session:
            accesses = list(await session.scalars(select(DataAccess).order_by(DataAccess.rows)))
        alone = await job.run(
            JobContext(settings.model_copy(update={"salesforce_orgs": {}}), engine, sessionmaker)
        )
    finally:
        await engine.dispose()

    assert (job.every, job.offset) == (timedelta(hours=1), timedelta(minutes=40))
    assert down.startswith("event logs of 1 of 2 production orgs read; CRM: 1 log files, 1 rows")
    assert down.endswith(
        "PRM: 0 log files, 0 rows (0 malformed skipped), 0 new sensitive accesses (0 flagged);"
        " stopped: answered HTTP 503 (the next run resumes)"
    )
    assert healed == (
        "event logs of 2 of 2 production orgs read;"
        " CRM: 0 log files, 0 rows (0 malformed skipped), 0 new sensitive accesses (0 flagged);"
        " PRM: 1 log files, 1 rows (0 malformed skipped), 1 new sensitive accesses (1 flagged)"
    )
    assert [(access.rows, access.anomalies) for access in accesses] == [
        (150, ["LARGE_EXPORT"]),
        (150, ["LARGE_EXPORT"]),
    ]
    assert alone == NO_ORGS
