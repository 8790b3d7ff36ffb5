"""Queries of notifications: the channels and the deliveries the caller may see."""

from __future__ import annotations

import uuid

import strawberry

from core.errors import DomainError
from core.pagination import KeysetOrder, PageRequest
from graphql_schema.connection import Connection, paged, paginate
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput, Unauthenticated
from graphql_schema.node import decode_id
from graphql_schema.notifications.inputs import DeliveryFilter, NotificationChannelFilter
from graphql_schema.notifications.types import Delivery, NotificationChannel
from identity.principal import Principal
from notifications import models, repository
from notifications.permissions import visible_channels, visible_deliveries

CHANNEL_ORDER = KeysetOrder(models.NotificationChannel.name, models.NotificationChannel.id)
DELIVERY_ORDER = KeysetOrder(
    models.Delivery.created_at, models.Delivery.id, descending=True, name="CREATED_AT"
)


def _filter_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return decode_id(value, type_name, field=field)
    except DomainError as error:
        raise BadUserInput(f"filter.{error.message}") from None


def _principal(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:  # the access check refuses anonymous callers first
        raise Unauthenticated("sign in to see notifications")
    return principal


@strawberry.type
class NotificationQuery:
    @strawberry.field(
        description="The notification channels you may see (yours, your teams'; every one"
        " for ADMIN and AUDITOR), by name."
    )
    @paged
    async def notification_channels(
        self,
        info: Info,
        filter: NotificationChannelFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[NotificationChannel]:
        principal = _principal(info)
        given = filter or NotificationChannelFilter()
        team_id = _filter_id(given.owner_team_id, "Team", "ownerTeamId")
        person_id = _filter_id(given.owner_person_id, "Person", "ownerPersonId")
        statement = repository.channels_query(
            visible_channels(principal),
            owner_team_id=team_id,
            owner_person_id=person_id,
            active=given.active,
        )
        return await paginate(
            info,
            statement,
            type_name="NotificationChannel",
            convert=NotificationChannel.from_model,
            order=CHANNEL_ORDER,
            request=page,
            fingerprint_parts=[str(team_id), str(person_id), given.active],
        )

    @strawberry.field(
        description="Deliveries of the channels you may see and emails to you (every one for"
        " ADMIN and AUDITOR), newest first."
    )
    @paged
    async def deliveries(
        self,
        info: Info,
        filter: DeliveryFilter | None = None,
        *,
        page: PageRequest,
    ) -> Connection[Delivery]:
        principal = _principal(info)
        given = filter or DeliveryFilter()
        channel_id = _filter_id(given.channel_id, "NotificationChannel", "channelId")
        statement = repository.deliveries_query(
            visible_deliveries(principal), channel_id=channel_id, status=given.status
        )
        return await paginate(
            info,
            statement,
            type_name="Delivery",
            convert=Delivery.from_model,
            order=DELIVERY_ORDER,
            request=page,
            fingerprint_parts=[str(channel_id), given.status],
        )
