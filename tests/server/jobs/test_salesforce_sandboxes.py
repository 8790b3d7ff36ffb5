"""The registered `salesforce-sandboxes` job against the fake: hourly, idempotent, one query
per object per org, and an org that is unavailable is reported while the others sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from catalog.sandboxes.models import SandboxSnapshot
from core.db import make_engine, make_sessionmaker
from core.salesforce_settings import SalesforceOrgConfig
from core.settings import load_settings
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.fake.sandboxes import add_sandbox
from server.jobs import JOBS, JobContext
from tests.builders.catalog import create_org

# The fake Salesforce and its orgs, as the Salesforce tests have them.
from tests.salesforce.conftest import (  # noqa: F401
    app_key,
    ca,
    ca_bundle,
    crm,
    fake,
    org_configs,
    partners,
)

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


async def test_the_job_syncs_every_connected_org_hourly_and_reports_one_that_fails(
    org_configs: dict[str, SalesforceOrgConfig],  # noqa: F811
    ca_bundle: Path,  # noqa: F811
    fresh_database: str,
    fake: FakeSalesforce,  # noqa: F811
    crm: FakeOrg,  # noqa: F811
    partners: FakeOrg,  # noqa: F811
) -> None:
    settings = load_settings(
        database_url=fresh_database,
        _env_file=None,
        salesforce_orgs=org_configs,
        salesforce_ca_bundle=ca_bundle,
        salesforce_timeout_s=1.0,
    )
    engine = make_engine(fresh_database)
    sessionmaker = make_sessionmaker(engine)
    job = JOBS["salesforce-sandboxes"]
    try:
        async with sessionmaker() as session, session.begin():
            await create_org(session, org_id=crm.org_id, credentials_ref="crm", name="CRM")
            await create_org(
                session, org_id=partners.org_id, credentials_ref="partners", name="PRM"
            )
        add_sandbox(crm, "uat", licence="FULL", copies=[NOW - timedelta(days=3)])
        add_sandbox(partners, "qa", licence="DEVELOPER", copies=[NOW])
        partners.failing = True

        down = await job.run(JobContext(settings, engine, sessionmaker))
        partners.heal()
        fake.clear_calls()
        healed = await job.run(JobContext(settings, engine, sessionmaker))
        again = await job.run(JobContext(settings, engine, sessionmaker))

        async with sessionmaker() as session:
            stored = await session.scalar(select(func.count()).select_from(SandboxSnapshot))
    finally:
        await engine.dispose()

    assert job.every == timedelta(hours=1)
    assert down.startswith("sandboxes of 1 of 2 production orgs synced (1 sandboxes, 0 scratch")
    assert f"PRM: Salesforce org {partners.org_id}: " in down
    assert down.endswith("(last snapshot kept)")
    synced = (
        "sandboxes of 2 of 2 production orgs synced (2 sandboxes, 0 scratch orgs);"
        " CRM: 1 sandboxes; PRM: 1 sandboxes"
    )
    assert (healed, again) == (synced, synced)
    assert stored == 2
    # Each run: one query per object per org (ScratchOrgInfo refused: neither is a Dev Hub).
    per_run = {"SandboxInfo": 2, "SandboxProcess": 2, "ScratchOrgInfo": 2}
    assert fake.soql_by_object(crm) == fake.soql_by_object(partners) == per_run
