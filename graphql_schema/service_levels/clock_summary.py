"""`Service.slaClockSummary`: the catalog's own clocks, beside Salesforce's case milestones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from core.clock import utcnow
from graphql_schema.context import Info
from graphql_schema.loaders import loader
from service_levels import repository

MAX_WITHIN_HOURS = 24 * 30


@strawberry.type(
    description="The service's requests and incidents by their running SLA clocks (the"
    " catalog's own, next to salesforceCaseSummary's vendor milestones)."
)
class SlaClockSummary:
    running: int = strawberry.field(description="Records with an SLA clock running.")
    breached: int = strawberry.field(description="Of those, already over their target.")
    breaching_soon: int = strawberry.field(description="Of those, going over within the hours.")


async def clock_summary_of(info: Info, service_id: uuid.UUID, within_hours: int) -> SlaClockSummary:
    hours = min(max(within_hours, 0), MAX_WITHIN_HOURS)

    async def batch(
        session: AsyncSession, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, repository.BreachCounts]:
        now = utcnow()
        return await repository.breach_counts(session, ids, now, now + timedelta(hours=hours))

    counts: DataLoader[uuid.UUID, repository.BreachCounts | None] = loader(
        info.context, ("SlaClockSummaryByServiceId", hours), batch
    )
    found = await counts.load(service_id) or repository.BreachCounts()
    return SlaClockSummary(
        running=found.running, breached=found.breached, breaching_soon=found.breaching_soon
    )
