"""The `salesforce-users` jobs: each connected org's users and licences read and reconciled
with people, nightly for every org and within a minute for orgs a SCIM deactivation made due.
One transaction a run, through a gateway of its own (closed after the run)."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.org_users.reconciliation import reconcile_orgs
from core.clock import utcnow
from salesforce.api_budget import check_api_budget
from salesforce.deadline import Deadline
from salesforce.gateway import SalesforceGateway
from salesforce.users import OrgDirectory
from server.jobs.context import JobContext
from server.jobs.salesforce_gateway import NO_ORGS, job_gateway


@dataclass(frozen=True)
class BudgetedDirectory:
    """The gateway's directory reads, refused once an org's calls reach the jobs' share of its
    daily limit (CATALOG_SALESFORCE_JOB_API_SHARE): the org's run fails and says so."""

    gateway: SalesforceGateway
    share: float

    async def org_directory(self, ref: str, *, deadline: Deadline | None = None) -> OrgDirectory:
        check_api_budget(self.gateway, ref, self.share)
        return await self.gateway.org_directory(ref, deadline=deadline)


async def _reconcile(context: JobContext, *, only_due: bool) -> str:
    settings = context.settings
    if not settings.salesforce_orgs:
        return NO_ORGS
    async with (
        job_gateway(settings) as gateway,
        context.sessionmaker() as session,
        session.begin(),
    ):
        report = await reconcile_orgs(
            session,
            source=BudgetedDirectory(gateway, settings.salesforce_job_api_share),
            refs=list(settings.salesforce_orgs),
            only_due=only_due,
            now=utcnow(),
        )
    return report.summary()


async def reconcile_all_org_users(context: JobContext) -> str:
    """Every connected org's users, licences and frozen logins, matched to people."""
    return await _reconcile(context, only_due=False)


async def reconcile_due_org_users(context: JobContext) -> str:
    """Only the orgs marked due (a person was deactivated); nothing to do most minutes."""
    return await _reconcile(context, only_due=True)
