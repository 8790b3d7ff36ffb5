"""A job's share of an org's daily API calls: past it, the job stops reading the org.

Usage is what the org's last answer said in `Sforce-Limit-Info` (calls in the last 24 hours
against the daily limit), so the first call of a gateway is never refused here.
"""

from __future__ import annotations

from salesforce.errors import SalesforceError
from salesforce.gateway import SalesforceGateway


class ApiBudgetReached(SalesforceError):
    """The job's share of the org's daily API calls is used up."""

    code = "SALESFORCE_LIMIT_EXCEEDED"


def check_api_budget(gateway: SalesforceGateway, ref: str, share: float) -> None:
    """Raise `ApiBudgetReached` when the org's calls reach `share` of its daily limit."""
    usage = gateway.api_usage(ref)
    if usage is not None and usage.total > 0 and usage.used >= share * usage.total:
        raise ApiBudgetReached(
            gateway.org_id(ref),
            f"API budget reached: {usage.used} of {usage.total} daily calls used,"
            f" jobs stop at {share:.0%} (CATALOG_SALESFORCE_JOB_API_SHARE)",
        )
