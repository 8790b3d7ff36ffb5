"""Service request mutations: file, change, move, escalate to the vendor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.access import requires
from graphql_schema.catalog.orgs.loaders import SalesforceFieldError
from graphql_schema.context import Info
from graphql_schema.input_fields import provided
from graphql_schema.mutation_runner import payload_object, run_mutation
from graphql_schema.node import decode_id
from graphql_schema.work.requests.inputs import (
    CreateServiceRequestInput,
    EscalateToSalesforceSupportInput,
    TransitionServiceRequestInput,
    UpdateServiceRequestInput,
)
from graphql_schema.work.requests.payloads import ServiceRequestPayload
from graphql_schema.work.requests.types import ServiceRequest
from identity.principal import Principal, Role
from salesforce.errors import SalesforceError
from work.access import require_desk_user
from work.requests import actions, escalation, models

RequestAction = Callable[[AsyncSession, Principal], Awaitable[models.ServiceRequest]]
WHO = "(CONTRIBUTOR or SUPPORT_AGENT; the status table says who makes each move)"


async def _payload(info: Info, action: RequestAction) -> ServiceRequestPayload:
    request, errors = await run_mutation(info, action)
    converted = await payload_object(
        info,
        request,
        field="serviceRequest",
        type_name="ServiceRequest",
        convert=ServiceRequest.from_model,
    )
    return ServiceRequestPayload(service_request=converted, user_errors=errors)


def _fields(given: dict[str, Any]) -> actions.RequestFields:
    """The given fields as the domain takes them (the assignee by person id)."""
    values = dict(given)
    if values.get("assignee_id") is not None:
        values["assignee_id"] = decode_id(values["assignee_id"], "Person", field="assigneeId")
    return actions.RequestFields(**values)


@strawberry.type
class ServiceRequestMutation:
    @strawberry.mutation(
        description=f"File a request on a service; it starts NEW {WHO}.",
        metadata=requires(Role.VIEWER),
    )
    async def create_service_request(
        self, info: Info, input: CreateServiceRequestInput
    ) -> ServiceRequestPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.ServiceRequest:
            require_desk_user(principal, action="filing a service request")
            requester = input.requester_id
            return await actions.create_request(
                session,
                principal=principal,
                service_id=decode_id(input.service_id, "Service", field="serviceId"),
                requester_id=decode_id(requester, "Person", field="requesterId")
                if requester
                else None,
                fields=actions.RequestFields(
                    title=input.title,
                    body=input.body,
                    kind=input.kind,
                    impact=input.impact,
                    urgency=input.urgency,
                    estimated_duration_seconds=input.estimated_duration_seconds,
                    value_stream=input.value_stream,
                ),
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="Change an open request; the priority follows impact and urgency, and"
        f" L1 <-> L2 changes the tier, not the status {WHO}.",
        metadata=requires(Role.VIEWER),
    )
    async def update_service_request(
        self, info: Info, input: UpdateServiceRequestInput
    ) -> ServiceRequestPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.ServiceRequest:
            require_desk_user(principal, action="changing a service request")
            given = provided(input)
            return await actions.update_request(
                session,
                principal=principal,
                request_id=decode_id(input.id, "ServiceRequest", field="id"),
                version=input.version,
                fields=_fields(given),
                given=frozenset(given),
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="Move a request through the status table; a refusal names the allowed"
        f" next states {WHO}.",
        metadata=requires(Role.VIEWER),
    )
    async def transition_service_request(
        self, info: Info, input: TransitionServiceRequestInput
    ) -> ServiceRequestPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.ServiceRequest:
            require_desk_user(principal, action="moving a service request")
            triage = provided(input, exclude=("id", "version", "to", "note"))
            return await actions.transition_request(
                session,
                principal=principal,
                request_id=decode_id(input.id, "ServiceRequest", field="id"),
                version=input.version,
                to=input.to,
                note=input.note,
                triage=_fields(triage),
                triage_given=frozenset(triage),
            )

        return await _payload(info, action)

    @strawberry.mutation(
        description="Open the vendor Case in Salesforce (an upsert on our request id: a retry"
        " never duplicates it) and move the request to ESCALATED_TO_VENDOR"
        " (TRIAGED: support agents and the owner team; IN_PROGRESS: the assignee and the"
        " owner team).",
        metadata=requires(Role.VIEWER),
    )
    async def escalate_to_salesforce_support(
        self, info: Info, input: EscalateToSalesforceSupportInput
    ) -> ServiceRequestPayload:
        async def action(session: AsyncSession, principal: Principal) -> models.ServiceRequest:
            require_desk_user(principal, action="escalating a service request")
            return await escalation.escalate_request(
                session,
                principal=principal,
                desk=info.context.salesforce,
                request_id=decode_id(input.request_id, "ServiceRequest", field="requestId"),
                subject=input.subject,
                description=input.description,
            )

        try:
            return await _payload(info, action)
        except SalesforceError as error:
            raise SalesforceFieldError(error) from None
