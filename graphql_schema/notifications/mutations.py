"""Mutations of notification channels: create, change, delete, rotate the secret, send a
test ping, send a delivery again."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from graphql_schema.archive_delete import DELETED, by_id
from graphql_schema.context import Info
from graphql_schema.errors import UserError
from graphql_schema.input_fields import provided, refuse_nulls
from graphql_schema.inputs import DeleteInput
from graphql_schema.mutation_runner import Arguments, CustomPayload, ObjectPayload, mutation
from graphql_schema.node import decode_id
from graphql_schema.notifications.inputs import (
    CreateNotificationChannelInput,
    NotificationChannelInput,
    RedeliverInput,
    UpdateNotificationChannelInput,
)
from graphql_schema.notifications.payloads import (
    DeliveryPayload,
    NotificationChannelPayload,
    NotificationSecretPayload,
)
from graphql_schema.notifications.types import Delivery, NotificationChannel
from identity.principal import Role
from notifications import actions
from notifications.models import NotificationChannel as NotificationChannelModel
from notifications.targets import UrlRules

CHANNEL = ObjectPayload(NotificationChannelPayload, "notification_channel", NotificationChannel)
DELIVERY = ObjectPayload(DeliveryPayload, "delivery", Delivery)
# Anyone who acts on the catalog (not a bare VIEWER: no mutation takes one) may keep
# channels of their own; which channels they may change is the actions' (ownership).
OWNERS = (Role.CONTRIBUTOR, Role.SUPPORT_AGENT, Role.DESIGN_AUTHORITY)
_NOT_NULL = ("name", "target", "events", "service_ids", "active")


async def _with_secret(
    info: Info, input: Any, result: actions.ChannelWithSecret | None, errors: list[UserError]
) -> NotificationSecretPayload:
    channel = await CHANNEL.node(info, result.channel if result is not None else None)
    secret = result.secret if result is not None else None
    return NotificationSecretPayload(
        notification_channel=channel, secret=secret, user_errors=errors
    )


WITH_SECRET = CustomPayload(NotificationSecretPayload, _with_secret)


def _url_rules(info: Info) -> UrlRules:
    settings = info.context.settings
    return UrlRules(
        require_https=not settings.is_dev, allow_private=bool(settings.webhook_allow_private)
    )


def _fields(given: dict[str, Any]) -> dict[str, Any]:
    fields = dict(given)
    if fields.get("service_ids") is not None:
        fields["service_ids"] = [
            decode_id(value, "Service", field="serviceIds") for value in fields["service_ids"]
        ]
    return fields


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return decode_id(value, type_name, field=field) if value else None


def _channel_id(value: strawberry.ID) -> uuid.UUID:
    return decode_id(value, "NotificationChannel", field="id")


def _secret_of(result: actions.ChannelWithSecret) -> NotificationChannelModel:
    return result.channel  # the audit names the channel, never the secret


@strawberry.type
class NotificationMutation:
    @mutation(
        "Create a notification channel owned by a team (its members or ADMIN) or a person"
        " (themself or ADMIN); the payload shows its signing secret, once.",
        permission=OWNERS,
        action=actions.create_channel,
        payload=WITH_SECRET,
        audited=_secret_of,
    )
    def create_notification_channel(
        self, input: CreateNotificationChannelInput, info: Info
    ) -> Arguments:
        return {
            "url_rules": _url_rules(info),
            "kind": input.kind,
            "owner_team_id": _optional_id(input.owner_team_id, "Team", "ownerTeamId"),
            "owner_person_id": _optional_id(input.owner_person_id, "Person", "ownerPersonId"),
            "fields": _fields(
                provided(input, exclude=("kind", "owner_team_id", "owner_person_id"))
            ),
        }

    @mutation(
        "Change a notification channel (its owners or ADMIN).",
        permission=OWNERS,
        action=actions.update_channel,
        payload=CHANNEL,
    )
    def update_notification_channel(
        self, input: UpdateNotificationChannelInput, info: Info
    ) -> Arguments:
        given = provided(input)
        refuse_nulls(given, *_NOT_NULL)
        return {
            "url_rules": _url_rules(info),
            "channel_id": _channel_id(input.id),
            "version": input.version,
            "changes": _fields(given),
        }

    @mutation(
        "Delete a notification channel and its deliveries (its owners or ADMIN).",
        permission=OWNERS,
        action=actions.delete_channel,
        payload=DELETED,
    )
    def delete_notification_channel(self, input: DeleteInput) -> Arguments:
        return by_id(input, "NotificationChannel", "channel_id")

    @mutation(
        "Give a channel a new signing secret, shown this once (its owners or ADMIN).",
        permission=OWNERS,
        action=actions.rotate_secret,
        payload=WITH_SECRET,
        audited=_secret_of,
    )
    def rotate_notification_secret(self, input: NotificationChannelInput) -> Arguments:
        return {"channel_id": _channel_id(input.id)}

    @mutation(
        "Send a PING to an active channel, whatever it subscribes to (its owners or ADMIN);"
        " the payload's delivery shows how it went.",
        permission=OWNERS,
        action=actions.ping_channel,
        payload=DELIVERY,
    )
    def test_notification_channel(self, input: NotificationChannelInput) -> Arguments:
        return {"channel_id": _channel_id(input.id)}

    @mutation(
        "Send a DELIVERED, FAILED or DEAD delivery again, now (the channel's owners or"
        " ADMIN); its attempts and last error stay. The channel must be active.",
        permission=OWNERS,
        action=actions.redeliver,
        payload=DELIVERY,
    )
    def redeliver(self, input: RedeliverInput) -> Arguments:
        return {"delivery_id": decode_id(input.delivery_id, "Delivery", field="deliveryId")}
