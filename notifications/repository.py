"""Every statement of notification channels and deliveries that the actions and the read
path run (the outbox writes its own: notifications/outbox.py)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from notifications.models import Delivery, DeliveryStatus, NotificationChannel


async def get_channel(session: AsyncSession, channel_id: uuid.UUID) -> NotificationChannel | None:
    return await session.get(NotificationChannel, channel_id)


async def get_delivery_with_channel(
    session: AsyncSession, delivery_id: uuid.UUID
) -> Delivery | None:
    statement = (
        select(Delivery).where(Delivery.id == delivery_id).options(selectinload(Delivery.channel))
    )
    return await session.scalar(statement)


async def delivery_by_event_key(
    session: AsyncSession, channel_id: uuid.UUID, event_key: str
) -> Delivery | None:
    statement = select(Delivery).where(
        Delivery.channel_id == channel_id, Delivery.event_key == event_key
    )
    return await session.scalar(statement)


def channels_query(
    visible: ColumnElement[bool],
    *,
    owner_team_id: uuid.UUID | None = None,
    owner_person_id: uuid.UUID | None = None,
    active: bool | None = None,
) -> Select[Any]:
    """The channels a caller sees (the condition `visible`), narrowed as asked."""
    statement = select(NotificationChannel).where(visible)
    if owner_team_id is not None:
        statement = statement.where(NotificationChannel.owner_team_id == owner_team_id)
    if owner_person_id is not None:
        statement = statement.where(NotificationChannel.owner_person_id == owner_person_id)
    if active is not None:
        statement = statement.where(NotificationChannel.active.is_(active))
    return statement


def deliveries_query(
    visible: ColumnElement[bool],
    *,
    channel_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
) -> Select[Any]:
    """The deliveries a caller sees, of one channel and in one status if asked."""
    statement = select(Delivery).where(visible)
    if channel_id is not None:
        statement = statement.where(Delivery.channel_id == channel_id)
    if status is not None:
        statement = statement.where(Delivery.status == status)
    return statement
