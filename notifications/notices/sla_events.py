"""SLA_AT_RISK, SLA_BREACHED, SLA_RECOVERED: one notice per SLA event the evaluation recorded."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from notifications.models import NotificationEvent
from notifications.notices.ids import global_id, integer_global_id
from notifications.outbox import Notice
from service_levels.models import Objective, Sla, SlaEventKind
from service_levels.sla_events import RecordedEvent

HEADLINES = {
    SlaEventKind.SLA_AT_RISK: "SLA at risk",
    SlaEventKind.SLA_BREACHED: "SLA breached",
    SlaEventKind.SLA_RECOVERED: "SLA recovered",
}


def _number(value: float | None) -> str:
    return "no data" if value is None else f"{value:g}"


async def sla_event_notices(session: AsyncSession, events: Sequence[RecordedEvent]) -> list[Notice]:
    """The notices of these events, with their service, SLA and objective named (one statement)."""
    if not events:
        return []
    rows = await session.execute(
        select(Objective.id, Objective.metric, Objective.comparator, Sla.name, Service.name)
        .join(Sla, Sla.id == Objective.sla_id)
        .join(Service, Service.id == Sla.service_id)
        .where(Objective.id.in_(sorted({event.objective_id for event in events})))
    )
    named: dict[uuid.UUID, tuple[str, str, str, str]] = {
        row[0]: (str(row[1]), str(row[2]), row[3], row[4]) for row in rows
    }
    notices = []
    for event in events:
        metric, comparator, sla_name, service_name = named.get(
            event.objective_id, ("objective", "", "SLA", "service")
        )
        wording = comparator.replace("_", " ").lower()
        notices.append(
            Notice(
                event=NotificationEvent(event.kind.value),
                key=f"sla-event:{event.id}",
                occurred_at=event.at,
                data={
                    "slaEventId": integer_global_id("SlaEvent", event.id),
                    "serviceId": global_id("Service", event.service_id),
                    "slaId": global_id("Sla", event.sla_id),
                    "objectiveId": global_id("Objective", event.objective_id),
                    "kind": event.kind.value,
                    "value": event.value,
                    "target": event.target,
                },
                title=f"{HEADLINES[event.kind]}: {service_name} — {sla_name}",
                lines=(
                    f"Service: {service_name}",
                    f"Objective: {metric} {wording} {_number(event.target)}",
                    f"Value now: {_number(event.value)}",
                ),
                service_ids=(event.service_id,),
            )
        )
    return notices
