"""The `salesforce-sandboxes` job: every connected production org's sandboxes and scratch
orgs read once an hour, in one transaction, through a gateway of its own (closed after)."""

from __future__ import annotations

from catalog.sandboxes.sync import sync_sandboxes
from core.clock import utcnow
from salesforce.gateway import SalesforceGateway
from server.jobs.context import JobContext


async def run_sandbox_sync(context: JobContext) -> str:
    """Replace the snapshot of each production org's sandboxes and scratch orgs."""
    settings = context.settings
    if not settings.salesforce_orgs:
        return "no Salesforce org is configured (CATALOG_SALESFORCE_ORGS)"
    gateway = SalesforceGateway.from_settings(settings)
    try:
        async with context.sessionmaker() as session, session.begin():
            report = await sync_sandboxes(
                session,
                gateway=gateway,
                now=utcnow(),
                api_share=settings.salesforce_job_api_share,
            )
    finally:
        await gateway.close()
    return report.summary()
