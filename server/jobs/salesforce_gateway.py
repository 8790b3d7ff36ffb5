"""What every Salesforce job starts with: a line saying so when no org is configured, else a
gateway of the job's own (its own connections and breakers), closed after the run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.settings import Settings
from salesforce.gateway import SalesforceGateway

NO_ORGS = "no Salesforce org is configured (CATALOG_SALESFORCE_ORGS)"


@asynccontextmanager
async def job_gateway(settings: Settings) -> AsyncIterator[SalesforceGateway]:
    gateway = SalesforceGateway.from_settings(settings)
    try:
        yield gateway
    finally:
        await gateway.close()
