"""The `salesforce-sandboxes` job: every connected production org's sandboxes and scratch
orgs read once an hour, in one transaction, through a gateway of its own (closed after)."""

from __future__ import annotations

from catalog.sandboxes.sync import sync_sandboxes
from core.clock import utcnow
from server.jobs.context import JobContext
from server.jobs.salesforce_gateway import NO_ORGS, job_gateway


async def run_sandbox_sync(context: JobContext) -> str:
    """Replace the snapshot of each production org's sandboxes and scratch orgs."""
    settings = context.settings
    if not settings.salesforce_orgs:
        return NO_ORGS
    async with (
        job_gateway(settings) as gateway,
        context.sessionmaker() as session,
        session.begin(),
    ):
        report = await sync_sandboxes(
            session,
            gateway=gateway,
            now=utcnow(),
            api_share=settings.salesforce_job_api_share,
        )
    return report.summary()
