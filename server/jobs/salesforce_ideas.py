"""The `salesforce-ideas` job (hourly): each connected org's Ideas changed since its last
sync, with their Votes, into feedback, one transaction per org; and the
`salesforce-idea-write-back` job (every minute): delivered ideas' status and comment sent."""

from __future__ import annotations

from core.clock import utcnow
from core.history import set_transaction_actor
from feedback.idea_write_back import send_write_backs
from feedback.ideas_sync import SYNC_ACTOR, sync_ideas
from salesforce.errors import SalesforceError
from salesforce.ideas import SalesforceIdeas
from server.jobs.context import JobContext
from server.jobs.salesforce_gateway import NO_ORGS, job_gateway


async def sync_salesforce_ideas(context: JobContext) -> str:
    """One line per org: what changed, or why it did not (tried again next hour)."""
    settings = context.settings
    if not settings.salesforce_orgs:
        return NO_ORGS
    lines: list[str] = []
    async with job_gateway(settings) as gateway:
        ideas = SalesforceIdeas(gateway)
        for ref in settings.salesforce_orgs:
            try:
                async with context.sessionmaker() as session, session.begin():
                    await set_transaction_actor(session, actor=SYNC_ACTOR, request_id=None)
                    summary = await sync_ideas(
                        session, source=ideas, ref=ref, org_id=gateway.org_id(ref)
                    )
            except SalesforceError as error:
                lines.append(f"{ref}: {error}")
            else:
                lines.append(f"{ref}: {summary}")
    return "; ".join(lines)


async def write_back_salesforce_ideas(context: JobContext) -> str:
    settings = context.settings
    if not settings.salesforce_orgs:
        return NO_ORGS
    async with job_gateway(settings) as gateway:
        summary = await send_write_backs(
            context.sessionmaker,
            target=SalesforceIdeas(gateway),
            refs={gateway.org_id(ref): ref for ref in settings.salesforce_orgs},
            status=settings.salesforce_idea_delivered_status,
            now=utcnow(),
        )
    return str(summary)
