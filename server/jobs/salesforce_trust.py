"""The Trust jobs: `salesforce-trust-incidents` reads vendor incidents every 15 minutes;
`salesforce-trust-calendar` reads the maintenance calendar once a day and plans the seasonal
releases it announces (work/releases/seasonal_autopilot.py). Each runs in one transaction with
a Trust client of its own, closed after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from catalog.trust.sync import sync_incidents, sync_maintenances
from core.clock import utcnow
from core.settings import Settings
from salesforce.trust import TrustClient
from server.jobs.context import JobContext
from work.releases.seasonal_autopilot import plan_seasonal_releases

NO_TRUST = "no Trust status API is configured (CATALOG_SALESFORCE_TRUST_URL)"


@asynccontextmanager
async def trust_client(settings: Settings, url: str) -> AsyncIterator[TrustClient]:
    client = TrustClient(
        url,
        ca_bundle=settings.salesforce_ca_bundle,
        timeout_s=max(settings.salesforce_timeout_s, 10.0),
    )
    try:
        yield client
    finally:
        await client.close()


async def run_trust_incidents(context: JobContext) -> str:
    """Upsert the vendor incidents of every instance the catalog's orgs run on."""
    url = context.settings.salesforce_trust_url
    if url is None:
        return NO_TRUST
    async with (
        trust_client(context.settings, url) as client,
        context.sessionmaker() as session,
        session.begin(),
    ):
        report = await sync_incidents(session, client=client, now=utcnow())
    return report.summary()


async def run_trust_calendar(context: JobContext) -> str:
    """Upsert the maintenance calendar, then plan the seasonal releases it announces."""
    url = context.settings.salesforce_trust_url
    if url is None:
        return NO_TRUST
    async with (
        trust_client(context.settings, url) as client,
        context.sessionmaker() as session,
        session.begin(),
    ):
        now = utcnow()
        report = await sync_maintenances(session, client=client, now=now)
        planned = await plan_seasonal_releases(session, now=now)
    return f"{report.summary()}; {planned.summary()}"
