"""Notification channels and deliveries as GraphQL sees them (never the signing secret)."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graphql_schema.notifications.enums  # noqa: F401  (registers the enums first)
from graphql_schema.context import Info
from graphql_schema.identity.types import Person, Team
from graphql_schema.node import Node, global_id, register_node
from graphql_schema.prefetch import register_relations
from notifications import models
from notifications.permissions import visible_channels, visible_deliveries
from work.incidents.models import Severity


@strawberry.type(
    description="Where notifications go: a URL or email addresses owned by a team or a"
    " person, and which events it wants. Its signing secret is shown only by"
    " createNotificationChannel and rotateNotificationSecret."
)
class NotificationChannel(Node):
    id: strawberry.ID
    kind: models.ChannelKind
    name: str
    target: str = strawberry.field(
        description="The URL (WEBHOOK, SLACK, TEAMS) or comma-separated email addresses."
    )
    events: list[models.NotificationEvent]
    service_ids: list[strawberry.ID] = strawberry.field(
        description="Only events about these services; empty: every service."
    )
    min_severity: Severity | None = strawberry.field(
        description="Only incidents at least this severe (SEV1 is the worst); null: all."
    )
    active: bool
    disabled_reason: str | None = strawberry.field(
        description="Why the catalog turned the channel off (a receiver answered 410)."
    )
    version: int
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[models.NotificationChannel]

    @classmethod
    def from_model(cls, channel: models.NotificationChannel) -> NotificationChannel:
        return cls(
            id=global_id("NotificationChannel", channel.id),
            kind=channel.kind,
            name=channel.name,
            target=channel.target,
            events=[models.NotificationEvent(event) for event in channel.events],
            service_ids=[global_id("Service", key) for key in channel.service_ids],
            min_severity=channel.min_severity,
            active=channel.active,
            disabled_reason=channel.disabled_reason,
            version=channel.version,
            created_at=channel.created_at,
            updated_at=channel.updated_at,
            model=channel,
        )

    @strawberry.field(description="The owner team; null when a person owns the channel.")
    def owner_team(self) -> Team | None:
        team = self.model.owner_team
        return Team.from_model(team) if team is not None else None

    @strawberry.field(description="The owner person; null when a team owns the channel.")
    def owner_person(self) -> Person | None:
        person = self.model.owner_person
        return Person.from_model(person) if person is not None else None


@strawberry.type(
    description="One event on its way to one channel, or to one person by email. Its id is"
    " the `webhook-id` header: the same on every retry."
)
class Delivery(Node):
    id: strawberry.ID
    event: models.NotificationEvent
    status: models.DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    model: strawberry.Private[models.Delivery]

    @classmethod
    def from_model(cls, delivery: models.Delivery) -> Delivery:
        return cls(
            id=global_id("Delivery", delivery.id),
            event=delivery.event,
            status=delivery.status,
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
            model=delivery,
        )

    @strawberry.field(description="The channel; null for an email to a person.")
    def channel(self) -> NotificationChannel | None:
        channel = self.model.channel
        return NotificationChannel.from_model(channel) if channel is not None else None

    @strawberry.field(
        description="The email address of a delivery to a person; shown only to ADMIN and"
        " to that person, else null."
    )
    def recipient(self, info: Info) -> str | None:
        principal = info.context.principal
        if self.model.recipient is None or principal is None:
            return None
        own = principal.person_id is not None and principal.person_id == (
            self.model.recipient_person_id
        )
        return self.model.recipient if principal.is_admin or own else None


register_relations(
    "NotificationChannel",
    {
        "ownerTeam": ([models.NotificationChannel.owner_team], "Team"),
        "ownerPerson": ([models.NotificationChannel.owner_person], "Person"),
    },
)
register_relations("Delivery", {"channel": ([models.Delivery.channel], "NotificationChannel")})
register_node(
    "NotificationChannel",
    models.NotificationChannel,
    NotificationChannel.from_model,
    visible=visible_channels,
)
register_node("Delivery", models.Delivery, Delivery.from_model, visible=visible_deliveries)
