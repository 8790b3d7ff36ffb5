"""Inputs of service request queries and mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.work.enums  # registers ValueStream first
import graphql_schema.work.requests.enums  # noqa: F401  (registers the enums first)
from work.requests import models
from work.value_streams import ValueStream


@strawberry.input
class ServiceRequestFilter:
    service_id: strawberry.ID | None = None
    statuses: list[models.RequestStatus] | None = None
    priorities: list[models.Priority] | None = None
    kinds: list[models.RequestKind] | None = None
    support_tiers: list[models.SupportTier] | None = None
    value_streams: list[ValueStream] | None = None
    assignee_id: strawberry.ID | None = None
    requester_id: strawberry.ID | None = None
    mine: bool = strawberry.field(
        default=False, description="Only requests the caller filed or is assigned."
    )
    breaching_before: datetime | None = strawberry.field(
        default=None, description="Only requests whose running SLA clock breaches before then."
    )
    breached: bool | None = strawberry.field(
        default=None,
        description="True: only requests with a running SLA clock over its target now (breachAt"
        " passed); false: only the others.",
    )
    warning: bool | None = strawberry.field(
        default=None,
        description="True: only requests with a running SLA clock past the warning threshold"
        " (warningAt passed) and none over its target; false: only the others.",
    )


@strawberry.input
class CreateServiceRequestInput:
    service_id: strawberry.ID
    title: str
    body: str = ""
    kind: models.RequestKind = models.RequestKind.QUESTION
    impact: models.Level = models.Level.MEDIUM
    urgency: models.Level = models.Level.MEDIUM
    estimated_duration_seconds: int | None = None
    value_stream: ValueStream | None = strawberry.field(
        default=None, description="Default DETECT_TO_CORRECT for a DEFECT, else REQUEST_TO_FULFIL."
    )
    requester_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Filing for someone else (support agents, the owner team); default the caller.",
    )


@strawberry.input
class UpdateServiceRequestInput:
    id: strawberry.ID
    version: int
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    kind: models.RequestKind | None = strawberry.UNSET
    impact: models.Level | None = strawberry.UNSET
    urgency: models.Level | None = strawberry.UNSET
    estimated_duration_seconds: int | None = strawberry.UNSET
    value_stream: ValueStream | None = strawberry.UNSET
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null unassigns."
    )
    support_tier: models.SupportTier | None = strawberry.field(
        default=strawberry.UNSET, description="L1 -> L2 escalates the tier, not the status."
    )


@strawberry.input
class TransitionServiceRequestInput:
    id: strawberry.ID
    version: int
    to: models.RequestStatus
    note: str | None = None
    impact: models.Level | None = strawberry.field(
        default=strawberry.UNSET, description="Triage (moves out of NEW) only."
    )
    urgency: models.Level | None = strawberry.field(
        default=strawberry.UNSET, description="Triage (moves out of NEW) only."
    )
    support_tier: models.SupportTier | None = strawberry.field(
        default=strawberry.UNSET, description="Triage (moves out of NEW) only."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Triage (moves out of NEW) only."
    )


@strawberry.input
class EscalateToSalesforceSupportInput:
    request_id: strawberry.ID
    subject: str | None = strawberry.field(default=None, description="Default the title.")
    description: str | None = strawberry.field(default=None, description="Default the body.")
