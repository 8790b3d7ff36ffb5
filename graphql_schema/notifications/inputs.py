"""Inputs of notification queries and mutations."""

from __future__ import annotations

import strawberry

import graphql_schema.notifications.enums  # noqa: F401  (registers the enums first)
from notifications.models import ChannelKind, DeliveryStatus, NotificationEvent
from work.incidents.models import Severity


@strawberry.input(
    description="A channel: a URL (WEBHOOK, SLACK, TEAMS; https only in prod, no private or"
    " local address unless allowed) or comma-separated email addresses (EMAIL)."
)
class CreateNotificationChannelInput:
    kind: ChannelKind
    name: str = strawberry.field(description="1 to 200 characters.")
    target: str
    events: list[NotificationEvent] = strawberry.field(
        description="At least one; not PING (testNotificationChannel sends it)."
    )
    service_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Only events about these services; empty: all."
    )
    min_severity: Severity | None = strawberry.field(
        default=None, description="Only incidents at least this severe; null: all."
    )
    active: bool = True
    owner_team_id: strawberry.ID | None = strawberry.field(
        default=None, description="A team of yours (or any, for ADMIN)."
    )
    owner_person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Yourself (anyone, for ADMIN). Neither owner given: the caller owns it.",
    )


@strawberry.input(description="Only the fields given change.")
class UpdateNotificationChannelInput:
    id: strawberry.ID
    version: int
    name: str | None = strawberry.UNSET
    target: str | None = strawberry.UNSET
    events: list[NotificationEvent] | None = strawberry.UNSET
    service_ids: list[strawberry.ID] | None = strawberry.UNSET
    min_severity: Severity | None = strawberry.UNSET
    active: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Setting it (either way) forgets disabledReason.",
    )


@strawberry.input(description="A notification channel, by id.")
class NotificationChannelInput:
    id: strawberry.ID


@strawberry.input
class RedeliverInput:
    delivery_id: strawberry.ID


@strawberry.input
class DeliveryFilter:
    channel_id: strawberry.ID | None = None
    status: DeliveryStatus | None = None


@strawberry.input
class NotificationChannelFilter:
    owner_team_id: strawberry.ID | None = None
    owner_person_id: strawberry.ID | None = None
    active: bool | None = None
