"""Payloads of notification mutations: the object (null on failure) and `userErrors`."""

from __future__ import annotations

import strawberry

from graphql_schema.errors import UserError
from graphql_schema.notifications.types import Delivery, NotificationChannel

SECRET_DESCRIPTION = (
    "The signing secret (`whsec_` + base64), shown this once: the webhook-signature of"
    " every delivery is its HMAC-SHA256 (Standard Webhooks). Null when refused."
)


@strawberry.type
class NotificationChannelPayload:
    notification_channel: NotificationChannel | None
    user_errors: list[UserError]


@strawberry.type(description="The channel and its new signing secret, shown this once.")
class NotificationSecretPayload:
    notification_channel: NotificationChannel | None
    secret: str | None = strawberry.field(description=SECRET_DESCRIPTION)
    user_errors: list[UserError]


@strawberry.type
class DeliveryPayload:
    delivery: Delivery | None
    user_errors: list[UserError]
