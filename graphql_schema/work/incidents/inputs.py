"""Inputs of incident queries and mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.work.backlog.enums  # registers BacklogItemType first
import graphql_schema.work.enums  # registers ValueStream first
import graphql_schema.work.incidents.enums  # noqa: F401  (registers the enums first)
from work.backlog.models import BacklogItemType
from work.incidents import models
from work.value_streams import ValueStream

AT = "When it happened (back-filled history); default now. ADMIN and machine clients only."


@strawberry.input
class IncidentFilter:
    service_id: strawberry.ID | None = None
    statuses: list[models.IncidentStatus] | None = None
    severities: list[models.Severity] | None = None
    sources: list[models.IncidentSource] | None = None
    value_streams: list[ValueStream] | None = None
    commander_id: strawberry.ID | None = None
    alert_key: str | None = None
    mine: bool = strawberry.field(
        default=False,
        description="Only incidents the caller commands or that affect their teams' services.",
    )
    breaching_before: datetime | None = strawberry.field(
        default=None, description="Only incidents whose running SLA clock breaches before then."
    )
    breached: bool | None = strawberry.field(
        default=None,
        description="True: only incidents with a running SLA clock over its target now (breachAt"
        " passed); false: only the others.",
    )
    warning: bool | None = strawberry.field(
        default=None,
        description="True: only incidents with a running SLA clock past the warning threshold"
        " (warningAt passed) and none over its target; false: only the others.",
    )


@strawberry.input
class ReportIncidentInput:
    source: models.IncidentSource
    alert_key: str | None = strawberry.field(
        default=None,
        description="The alert's identity at its source: a repeat while the incident is open"
        " updates it instead of opening another.",
    )
    title: str
    severity: models.Severity
    service_ids: list[strawberry.ID]
    at: datetime | None = strawberry.field(default=None, description=AT)


@strawberry.input
class UpdateIncidentInput:
    id: strawberry.ID
    version: int
    title: str | None = strawberry.UNSET
    severity: models.Severity | None = strawberry.UNSET
    commander_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null removes the commander."
    )
    root_cause: str | None = strawberry.UNSET
    people_hours: float | None = strawberry.UNSET
    value_stream: ValueStream | None = strawberry.UNSET
    service_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the affected services."
    )


@strawberry.input
class TransitionIncidentInput:
    id: strawberry.ID
    version: int
    to: models.IncidentStatus
    at: datetime | None = strawberry.field(default=None, description=AT)
    root_cause: str | None = None
    note: str | None = None


@strawberry.input
class CreateHotfixInput:
    incident_id: strawberry.ID
    type: BacklogItemType = strawberry.field(description="HOTFIX or VULNERABILITY.")
    title: str
    description: str | None = None
    service_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Whose owner team's backlog takes it; default the incident's only service.",
    )


@strawberry.input
class LinkTrustIncidentInput:
    incident_id: strawberry.ID
    trust_id: int = strawberry.field(
        description="The Trust incident's number (VendorIncident.trustId)."
    )
    version: int | None = strawberry.field(
        default=None, description="The incident's version, to refuse a stale change."
    )


@strawberry.input
class UnlinkTrustIncidentInput:
    incident_id: strawberry.ID
    version: int | None = None
