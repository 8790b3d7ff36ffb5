"""The `salesforce-event-logs` job: every connected production org's new Event Monitoring logs
read once an hour, in one transaction, through a gateway of its own (closed after)."""

from __future__ import annotations

from catalog.event_monitoring.sync import SyncTerms, sync_event_logs
from core.clock import utcnow
from server.jobs.context import JobContext
from server.jobs.salesforce_gateway import NO_ORGS, job_gateway


async def run_event_log_sync(context: JobContext) -> str:
    """Read each org's EventLogFile logs since its cursors into adoption and data access."""
    settings = context.settings
    if not settings.salesforce_orgs:
        return NO_ORGS
    terms = SyncTerms(
        backfill_days=settings.event_monitoring_backfill_days,
        export_rows=settings.event_monitoring_export_rows,
        api_share=settings.salesforce_job_api_share,
    )
    async with (
        job_gateway(settings) as gateway,
        context.sessionmaker() as session,
        session.begin(),
    ):
        report = await sync_event_logs(session, gateway=gateway, now=utcnow(), terms=terms)
    return report.summary()
