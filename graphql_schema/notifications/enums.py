"""Enums of notifications, exposed to GraphQL once, before any type uses them."""

import strawberry

import graphql_schema.work.incidents.enums  # noqa: F401  (Severity first)
from notifications.models import ChannelKind, DeliveryStatus, NotificationEvent

strawberry.enum(
    ChannelKind,
    description="WEBHOOK: any URL, signed per the Standard Webhooks spec; EMAIL:"
    " comma-separated addresses; SLACK and TEAMS: incoming-webhook URLs, sent messages in"
    " their native formats.",
)
strawberry.enum(
    NotificationEvent,
    description="What a channel can subscribe to. PING is sent only by"
    " testNotificationChannel; no channel subscribes to it.",
)
strawberry.enum(
    DeliveryStatus,
    description="PENDING: not tried yet (or being tried); DELIVERED; FAILED: tried, tried"
    " again at nextAttemptAt; DEAD: given up (a day of failures, a refusal, a disabled"
    " channel).",
)
