"""Incident mutations: report (idempotent per open alert), change, move, hot fixes."""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_schema.input_fields import provided
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutation
from graphql_schema.node import decode_id
from graphql_schema.work.backlog.types import BacklogItem
from graphql_schema.work.incidents.inputs import (
    CreateHotfixInput,
    LinkTrustIncidentInput,
    ReportIncidentInput,
    TransitionIncidentInput,
    UnlinkTrustIncidentInput,
    UpdateIncidentInput,
)
from graphql_schema.work.incidents.payloads import CreateHotfixPayload, IncidentPayload
from graphql_schema.work.incidents.types import Incident
from identity.principal import Role
from work.access import DESK_ROLES
from work.incidents import actions, vendor_links

RESPONDERS = "(support agents, the commander, the affected services' teams; ADMIN)"
INCIDENT = ObjectPayload(IncidentPayload, "incident", Incident)


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
    @mutation(
        "Report an incident (CONTRIBUTOR or SUPPORT_AGENT; monitoring is a machine"
        " client). A repeat of an alert whose incident is not yet RESOLVED updates that"
        " incident: latest title, severity raised but never lowered, services added.",
        permission=DESK_ROLES,
        action=actions.report_incident,
        payload=INCIDENT,
    )
    def report_incident(self, input: ReportIncidentInput) -> Arguments:
        alert = actions.Alert(
            source=input.source,
            alert_key=input.alert_key,
            title=input.title,
            severity=input.severity,
            service_ids=[
                decode_id(key, "Service", field="serviceIds") for key in input.service_ids
            ],
        )
        return {"alert": alert, "at": input.at}

    @mutation(
        f"Change an incident: commander, root cause, people-hours... {RESPONDERS}",
        permission=DESK_ROLES,
        action=actions.update_incident,
        payload=INCIDENT,
    )
    def update_incident(self, input: UpdateIncidentInput) -> Arguments:
        given = provided(input)
        return {
            "incident_id": decode_id(input.id, "Incident", field="id"),
            "version": input.version,
            "fields": _fields(given),
            "given": frozenset(given),
        }

    @mutation(
        "Move an incident along DETECTED -> ACKNOWLEDGED -> MITIGATED -> RESOLVED ->"
        f" CLOSED (RESOLVED -> ACKNOWLEDGED reopens) {RESPONDERS}",
        permission=DESK_ROLES,
        action=actions.transition_incident,
        payload=INCIDENT,
    )
    def transition_incident(self, input: TransitionIncidentInput) -> Arguments:
        return {
            "incident_id": decode_id(input.id, "Incident", field="id"),
            "version": input.version,
            "to": input.to,
            "at": input.at,
            "root_cause": input.root_cause,
            "note": input.note,
        }

    @mutation(
        "A HOTFIX or VULNERABILITY backlog item for the incident, on the owner"
        f" team's backlog of an affected service {RESPONDERS}",
        permission=DESK_ROLES,
        action=actions.create_hotfix,
        payload=ObjectPayload(CreateHotfixPayload, "backlog_item", BacklogItem),
    )
    def create_hotfix(self, input: CreateHotfixInput) -> Arguments:
        service = input.service_id
        return {
            "incident_id": decode_id(input.incident_id, "Incident", field="incidentId"),
            "item_type": input.type,
            "title": input.title,
            "description": input.description,
            "service_id": decode_id(service, "Service", field="serviceId") if service else None,
        }

    @mutation(
        "Link an incident to the Trust incident that caused it: their overlap counts against"
        " the vendor, not the team (the affected services' teams; ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=vendor_links.link_vendor_incident,
        payload=INCIDENT,
    )
    def link_trust_incident(self, input: LinkTrustIncidentInput) -> Arguments:
        return {
            "incident_id": decode_id(input.incident_id, "Incident", field="incidentId"),
            "trust_id": input.trust_id,
            "version": input.version,
        }

    @mutation(
        "Drop an incident's link to a Trust incident; Trust incidents overlapping it on its"
        " services' orgs' instances still count against the vendor (the affected services'"
        " teams; ADMIN).",
        permission=Role.TEAM_MEMBER,
        action=vendor_links.unlink_vendor_incident,
        payload=INCIDENT,
    )
    def unlink_trust_incident(self, input: UnlinkTrustIncidentInput) -> Arguments:
        return {
            "incident_id": decode_id(input.incident_id, "Incident", field="incidentId"),
            "version": input.version,
        }
