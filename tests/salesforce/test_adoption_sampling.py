"""The adoption-sampling job against the fake Salesforce: a day's ADOPTION per running service,
recorded once however often it runs, and an org that fails leaves the others recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.services.models import Lifecycle, Service
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.salesforce_settings import SalesforceOrgConfig
from core.settings import load_settings
from salesforce.fake import FakeOrg
from salesforce.gateway import SalesforceGateway
from server.jobs import JOBS, JobContext
from service_levels.adoption_sampling import ACTOR, day_start, sample_adoption
from service_levels.models import Measurement, MeasurementSource, Metric
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_team


def _users(org: FakeOrg, *, active: int, licensed: int) -> None:
    """`active` users who logged in lately, one who did not, and `licensed` licences in use."""
    recent = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    for _ in range(active):
        org.add("User", IsActive=True, UserType="Standard", LastLoginDate=recent)
    stale = (datetime.now(UTC) - timedelta(days=60)).isoformat()
    org.add("User", IsActive=True, UserType="Standard", LastLoginDate=stale)
    org.add("UserLicense", Name="Salesforce", Status="Active", UsedLicenses=licensed)
    org.add("UserLicense", Name="Chatter Free", Status="Active", UsedLicenses=500)


async def _catalog(session: AsyncSession, crm: FakeOrg, partners: FakeOrg) -> dict[str, Service]:
    """Services on the two connected orgs, on both, on a sandbox, not running, archived."""
    crm_org = await create_org(session, org_id=crm.org_id, credentials_ref="crm")
    partner_org = await create_org(session, org_id=partners.org_id, credentials_ref="partners")
    sandbox = await create_org(session, kind=OrgKind.SANDBOX, credentials_ref="crm-uat")
    team = await create_team(session)
    made = {}
    plan: list[tuple[str, list[SalesforceOrg], dict[str, Any]]] = [
        ("portal", [crm_org], {}),
        ("legacy", [crm_org], {"lifecycle": Lifecycle.DEPRECATED}),
        ("planned", [crm_org], {"lifecycle": Lifecycle.PLANNED}),
        ("gone", [crm_org], {"archived_at": utcnow()}),
        ("community", [partner_org], {}),
        ("shared", [crm_org, partner_org], {}),
        ("testing", [sandbox], {}),
    ]
    for slug, orgs, extra in plan:
        made[slug] = await create_service(
            session, slug=slug, owner_team_id=team.id, orgs=orgs, **extra
        )
    return made


async def _adoption(session: AsyncSession) -> dict[str, tuple[float, dict[str, int], datetime]]:
    rows = await session.execute(
        select(Service.slug, Measurement)
        .join(Measurement, Measurement.service_id == Service.id)
        .where(Measurement.metric == Metric.ADOPTION)
        .execution_options(populate_existing=True)
    )
    found = {}
    for slug, measurement in rows:
        assert measurement.source is MeasurementSource.SALESFORCE
        assert measurement.recorded_by == ACTOR
        found[slug] = (measurement.value, measurement.details, measurement.at)
    return found


async def test_each_running_service_on_an_org_gets_the_days_adoption_once(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg, partners: FakeOrg
) -> None:
    await _catalog(session, crm, partners)
    _users(crm, active=3, licensed=4)
    _users(partners, active=1, licensed=4)
    now = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)

    report = await sample_adoption(
        session, source=gateway, refs=["crm", "partners", "crm-uat"], now=now
    )
    again = await sample_adoption(session, source=gateway, refs=["crm", "partners"], now=now)

    day = datetime(2026, 11, 2, tzinfo=UTC)
    three_quarters = (0.75, {"activeUsers": 3, "licensedUsers": 4}, day)
    assert await _adoption(session) == {
        "portal": three_quarters,
        "legacy": three_quarters,
        "community": (0.25, {"activeUsers": 1, "licensedUsers": 4}, day),
        "shared": (0.5, {"activeUsers": 4, "licensedUsers": 8}, day),
    }
    assert report.summary() == (
        "adoption of 4 services sampled (4 recorded, 0 unchanged, 0 skipped);"
        " crm: 3 of 4 licensed users active; partners: 1 of 4 licensed users active"
    )
    assert (again.recorded, again.unchanged) == (0, 4)


async def test_an_org_that_fails_is_reported_and_the_others_are_recorded(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg, partners: FakeOrg
) -> None:
    await _catalog(session, crm, partners)
    _users(crm, active=1, licensed=2)
    partners.exhaust()

    report = await sample_adoption(session, source=gateway, refs=["crm", "partners"], now=utcnow())

    assert sorted(await _adoption(session)) == ["legacy", "portal"]
    assert report.failed == ["partners"]
    assert report.skipped == 2  # community, and shared, which runs on partners too
    assert report.orgs["partners"] == f"Salesforce org {partners.org_id}: no API calls left today"


async def test_the_registered_job_samples_every_configured_org_daily(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    fresh_database: str,
    crm: FakeOrg,
    partners: FakeOrg,
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
    try:
        async with sessionmaker() as session, session.begin():
            await _catalog(session, crm, partners)
        _users(crm, active=2, licensed=5)
        _users(partners, active=4, licensed=4)
        partners.failing = True
        job = JOBS["adoption-sampling"]

        down = await job.run(JobContext(settings, engine, sessionmaker))
        partners.heal()
        healed = await job.run(JobContext(settings, engine, sessionmaker))

        async with sessionmaker() as session:
            stored = await _adoption(session)
    finally:
        await engine.dispose()

    assert job.every == timedelta(days=1)
    assert down.startswith("adoption of 2 services sampled (2 recorded, 0 unchanged, 2 skipped);")
    assert f"partners: Salesforce org {partners.org_id}:" in down
    assert healed == (
        "adoption of 4 services sampled (2 recorded, 2 unchanged, 0 skipped);"
        " crm: 2 of 5 licensed users active; partners: 4 of 4 licensed users active"
    )
    today = day_start(utcnow())
    assert {slug: (value, at) for slug, (value, _, at) in stored.items()} == {
        "portal": (0.4, today),
        "legacy": (0.4, today),
        "community": (1.0, today),
        "shared": (6 / 9, today),
    }
