"""Closed requests and incidents: removed with their status changes and their history once
closed longer ago than their period (kept forever by default: KPIs count them).

"Closed since" is the row's last change (`updated_at`), never earlier than the closing, so a
reopened or edited item starts its period again, and an item a backlog item was made from
(a hot fix, a change) is kept while that item exists. The history trigger is told to skip the
deletes (`catalog.importing`), and the rows' past versions go with them: a removed request
leaves no copy of itself behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.jobs.retention.rule import CUTOFF, Rule, delete_by_ids, execute

SKIP_HISTORY = "SET LOCAL catalog.importing = 'on'"


def no_backlog_item_from(source_type: str, table: str) -> str:
    """Kept while a backlog item names it as its source: TIME_TO_HOTFIX reads the incident."""
    return (
        f" AND NOT EXISTS (SELECT 1 FROM backlog_item AS b"
        f" WHERE b.source_type = '{source_type}' AND b.source_id = {table}.id)"
    )


@dataclass(frozen=True)
class ClosedWork(Rule):
    """A work item with child rows that refer to it without cascading."""

    children: tuple[tuple[str, str], ...] = ()  # (table, column referring to the item)

    async def apply_batch(self, session: AsyncSession, days: int, batch_size: int) -> int:
        ids = await self.batch_ids(session, days, batch_size)
        if not ids:
            return 0
        for table, column in self.children:
            await delete_by_ids(session, table, column, ids)
        await execute(
            session,
            "DELETE FROM record_version WHERE table_name = :table AND record_id = ANY(:ids)",
            {"table": self.table, "ids": ids},
        )
        return await delete_by_ids(session, self.table, "id", ids)


CLOSED_REQUESTS = ClosedWork(
    key="service_request",
    name="closed requests",
    setting="retention_requests_days",
    table="service_request",
    where=(
        f"status IN ('FULFILLED', 'CLOSED', 'REJECTED') AND updated_at < {CUTOFF}"
        + no_backlog_item_from("REQUEST", "service_request")
    ),
    prepare=(SKIP_HISTORY,),
    children=(("service_request_status_change", "request_id"),),
)

# incident_service cascades; the status changes do not.
CLOSED_INCIDENTS = ClosedWork(
    key="incident",
    name="closed incidents",
    setting="retention_incidents_days",
    table="incident",
    where=(
        f"status IN ('RESOLVED', 'CLOSED') AND coalesce(closed_at, resolved_at) < {CUTOFF}"
        f" AND updated_at < {CUTOFF}" + no_backlog_item_from("INCIDENT", "incident")
    ),
    prepare=(SKIP_HISTORY,),
    children=(("incident_status_change", "incident_id"),),
)
