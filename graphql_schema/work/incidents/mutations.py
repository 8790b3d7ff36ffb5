"""Incident mutations: report (idempotent per open alert), change, move, hot fixes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.access import requires
from graphql_schema.context import Info
from graphql_schema.input_fields import provided
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.work.backlog.types import BacklogItem
from graphql_schema.work.incidents.inputs import (
    CreateHotfixInput,
    ReportIncidentInput,
    TransitionIncidentInput,
    UpdateIncidentInput,
)
from graphql_schema.work.incidents.payloads import CreateHotfixPayload, IncidentPayload
from graphql_schema.work.incidents.types import Incident
from identity.principal import Principal, Role
from work.access import require_desk_user
from work.backlog.models import BacklogItem as BacklogItemModel
from work.incidents import actions, models

IncidentAction = Callable[[AsyncSession, Principal], Awaitable[models.Incident]]
RESPONDERS = "(support agents, the commander, the affected services' teams; ADMIN)"


async def _incident(info: Info, incident: models.Incident | None) -> Incident | None:
    return await payload_object(
        info, incident, field="incident", type_name="Incident", convert=Incident.from_model
    )


async def _payload(info: Info, action: IncidentAction) -> IncidentPayload:
    incident, errors = await run_mutation(info, action)
    return IncidentPayload(incident=await _incident(info, incident), user_errors=errors)


def _fields(given: dict[str, Any]) -> actions.IncidentFields:
    values = dict(given)
    if values.get("commander_id") is not None:
        values["commander_id"] = decode_id(values["commander_id"], "Person", field="commanderId")
    if values.get("service_ids") is not None:
        values["service_ids"] = [
            decode_id(key, "Service", field="serviceIds") for key in values["service_ids"]
        ]
    return actions.IncidentFields(**values)


@strawberry.type
class IncidentMutation:
    @strawberry.mutation(
        description="Report an incident (CONTRIBUTOR or SUPPORT_AGENT; monitoring is a machine"
        " client). A repeat of an alert whose incident is not yet RESOLVED updates that"
        " incident: latest title, severity raised but never lowered, services added.",
        metadata=requires(Role.VIEWER),
    )
    async def report_incident(self, info: Info, input: ReportIncidentInput) -> IncidentPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Incident:
            require_desk_user(principal, action="reporting an incident")
            alert = actions.Alert(
                source=input.source,
                alert_key=input.alert_key,
                title=input.title,
                severity=input.severity,
                service_ids=[
                    decode_id(key, "Service", field="serviceIds") for key in input.service_ids
                ],
            )
            return await actions.report_incident(
                session, principal=principal, alert=alert, at=input.at
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description=f"Change an incident: commander, root cause, people-hours... {RESPONDERS}",
        metadata=requires(Role.VIEWER),
    )
    async def update_incident(self, info: Info, input: UpdateIncidentInput) -> IncidentPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Incident:
            require_desk_user(principal, action="changing an incident")
            given = provided(input)
            return await actions.update_incident(
                session,
                principal=principal,
                incident_id=decode_id(input.id, "Incident", field="id"),
                version=input.version,
                fields=_fields(given),
                given=frozenset(given),
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="Move an incident along DETECTED -> ACKNOWLEDGED -> MITIGATED -> RESOLVED ->"
        f" CLOSED (RESOLVED -> ACKNOWLEDGED reopens) {RESPONDERS}",
        metadata=requires(Role.VIEWER),
    )
    async def transition_incident(
        self, info: Info, input: TransitionIncidentInput
    ) -> IncidentPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.Incident:
            require_desk_user(principal, action="moving an incident")
            return await actions.transition_incident(
                session,
                principal=principal,
                incident_id=decode_id(input.id, "Incident", field="id"),
                version=input.version,
                to=input.to,
                at=input.at,
                root_cause=input.root_cause,
                note=input.note,
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="A HOTFIX or VULNERABILITY backlog item for the incident, on the owner"
        f" team's backlog of an affected service {RESPONDERS}",
        metadata=requires(Role.VIEWER),
    )
    async def create_hotfix(self, info: Info, input: CreateHotfixInput) -> CreateHotfixPayload:
        async def action(session: AsyncSession, principal: Principal) -> BacklogItemModel:
            require_desk_user(principal, action="creating a hot fix")
            service = input.service_id
            return await actions.create_hotfix(
                session,
                principal=principal,
                incident_id=decode_id(input.incident_id, "Incident", field="incidentId"),
                item_type=input.type,
                title=input.title,
                description=input.description,
                service_id=decode_id(service, "Service", field="serviceId") if service else None,
            )

        item, errors = await run_mutation(info, action)
        converted = await payload_object(
            info, item, field="backlogItem", type_name="BacklogItem", convert=BacklogItem.from_model
        )
        return CreateHotfixPayload(backlog_item=converted, user_errors=errors)
