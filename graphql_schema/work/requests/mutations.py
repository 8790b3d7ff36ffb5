"""Service request mutations: file, change, move, escalate to the vendor."""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_schema.access import requires
from graphql_schema.catalog.orgs.loaders import SalesforceFieldError
from graphql_schema.context import Info
from graphql_schema.input_fields import provided
from graphql_schema.mutation_runner import Arguments, ObjectPayload, mutate, mutation
from graphql_schema.node import decode_id
from graphql_schema.work.requests.inputs import (
    CreateServiceRequestInput,
    EscalateToSalesforceSupportInput,
    TransitionServiceRequestInput,
    UpdateServiceRequestInput,
)
from graphql_schema.work.requests.payloads import ServiceRequestPayload
from graphql_schema.work.requests.types import ServiceRequest
from salesforce.errors import SalesforceError
from work.access import DESK_ROLES
from work.requests import actions, escalation

WHO = "(CONTRIBUTOR or SUPPORT_AGENT; the status table says who makes each move)"
SERVICE_REQUEST = ObjectPayload(ServiceRequestPayload, "service_request", ServiceRequest)


def _fields(given: dict[str, Any]) -> actions.RequestFields:
    """The given fields as the domain takes them (the assignee by person id)."""
    values = dict(given)
    if values.get("assignee_id") is not None:
        values["assignee_id"] = decode_id(values["assignee_id"], "Person", field="assigneeId")
    return actions.RequestFields(**values)


def _escalation(input: EscalateToSalesforceSupportInput, info: Info) -> Arguments:
    return {
        "desk": info.context.salesforce,
        "request_id": decode_id(input.request_id, "ServiceRequest", field="requestId"),
        "subject": input.subject,
        "description": input.description,
    }


@strawberry.type
class ServiceRequestMutation:
    @mutation(
        f"File a request on a service; it starts NEW {WHO}.",
        permission=DESK_ROLES,
        action=actions.create_request,
        payload=SERVICE_REQUEST,
    )
    def create_service_request(self, input: CreateServiceRequestInput) -> Arguments:
        requester = input.requester_id
        return {
            "service_id": decode_id(input.service_id, "Service", field="serviceId"),
            "requester_id": decode_id(requester, "Person", field="requesterId")
            if requester
            else None,
            "fields": actions.RequestFields(
                title=input.title,
                body=input.body,
                kind=input.kind,
                impact=input.impact,
                urgency=input.urgency,
                estimated_duration_seconds=input.estimated_duration_seconds,
                value_stream=input.value_stream,
            ),
        }

    @mutation(
        "Change an open request; the priority follows impact and urgency, and"
        f" L1 <-> L2 changes the tier, not the status {WHO}.",
        permission=DESK_ROLES,
        action=actions.update_request,
        payload=SERVICE_REQUEST,
    )
    def update_service_request(self, input: UpdateServiceRequestInput) -> Arguments:
        given = provided(input)
        return {
            "request_id": decode_id(input.id, "ServiceRequest", field="id"),
            "version": input.version,
            "fields": _fields(given),
            "given": frozenset(given),
        }

    @mutation(
        f"Move a request through the status table; a refusal names the allowed next states {WHO}.",
        permission=DESK_ROLES,
        action=actions.transition_request,
        payload=SERVICE_REQUEST,
    )
    def transition_service_request(self, input: TransitionServiceRequestInput) -> Arguments:
        triage = provided(input, exclude=("id", "version", "to", "note"))
        return {
            "request_id": decode_id(input.id, "ServiceRequest", field="id"),
            "version": input.version,
            "to": input.to,
            "note": input.note,
            "triage": _fields(triage),
            "triage_given": frozenset(triage),
        }

    @strawberry.mutation(
        description="Open the vendor Case in Salesforce (an upsert on our request id: a retry"
        " never duplicates it) and move the request to ESCALATED_TO_VENDOR"
        " (TRIAGED: support agents and the owner team; IN_PROGRESS: the assignee and the"
        " owner team).",
        metadata=requires(*DESK_ROLES),
    )
    async def escalate_to_salesforce_support(
        self, info: Info, input: EscalateToSalesforceSupportInput
    ) -> ServiceRequestPayload:
        # Declared by hand for one thing: a Salesforce failure is the field's error.
        try:
            return await mutate(
                info,
                input,
                action=escalation.escalate_request,
                arguments=lambda: _escalation(input, info),
                payload=SERVICE_REQUEST,
            )
        except SalesforceError as error:
            raise SalesforceFieldError(error) from None
