"""The `adoption-sampling` job: each connected production org read once a day, in one
transaction, through a gateway of its own (closed after the run)."""

from __future__ import annotations

from core.clock import utcnow
from core.history import set_transaction_actor
from server.jobs.context import JobContext
from server.jobs.salesforce_gateway import NO_ORGS, job_gateway
from service_levels.adoption_sampling import ACTOR, sample_adoption


async def run_adoption_sampling(context: JobContext) -> str:
    """Record today's ADOPTION of the running services on connected production orgs."""
    settings = context.settings
    if not settings.salesforce_orgs:
        return NO_ORGS
    async with (
        job_gateway(settings) as gateway,
        context.sessionmaker() as session,
        session.begin(),
    ):
        await set_transaction_actor(session, actor=ACTOR, request_id=None)
        report = await sample_adoption(
            session, source=gateway, refs=list(settings.salesforce_orgs), now=utcnow()
        )
    return report.summary()
