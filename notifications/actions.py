"""Business rules of notification channels: create, change, delete, rotate the secret,
send a test ping, send a delivery again (a person for themself, a team's members, ADMIN).

The signing secret leaves only through `create_channel` and `rotate_secret`, to the caller
who asked; nothing else returns it (the audit and the types leave it out).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import Invalid, NotFound, Required
from core.ids import encode_global_id
from core.notifications import Channel, notify
from core.records import apply_changes, check_version, delete_record, require_found
from core.repository import get_by_id
from identity.models import Person, Team
from identity.principal import Principal
from notifications import repository
from notifications.channel_fields import checked_fields
from notifications.errors import ChannelInactive, NotRedeliverable
from notifications.models import (
    ChannelKind,
    Delivery,
    DeliveryStatus,
    NotificationChannel,
    NotificationEvent,
)
from notifications.outbox import Notice, enqueue
from notifications.permissions import require_channel_owner
from notifications.secrets import new_secret
from notifications.targets import UrlRules

PING_TITLE = "Test notification from Service Catalog"
REDELIVERABLE = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.DEAD})


@dataclass(frozen=True)
class ChannelWithSecret:
    """A channel and its signing secret, for the one answer that shows it."""

    channel: NotificationChannel
    secret: str


async def _owner(
    session: AsyncSession,
    principal: Principal,
    team_id: uuid.UUID | None,
    person_id: uuid.UUID | None,
) -> dict[str, uuid.UUID | None]:
    """Exactly one owner: the team or the person given, else the caller themself."""
    if team_id is not None and person_id is not None:
        raise Invalid(
            "a channel has one owner: ownerTeamId or ownerPersonId", field=["ownerTeamId"]
        )
    if team_id is not None:
        team = await get_by_id(session, Team, team_id)
        if team is None or team.archived_at is not None:
            raise NotFound("no such team", field=["ownerTeamId"])
    elif person_id is not None:
        person = await get_by_id(session, Person, person_id)
        if person is None or not person.active:
            raise NotFound("no such active person", field=["ownerPersonId"])
    elif principal.person_id is not None:
        person_id = principal.person_id
    else:
        raise Required(
            "name the owner (ownerTeamId or ownerPersonId): the caller is not a person",
            field=["ownerTeamId"],
        )
    require_channel_owner(principal, owner_team_id=team_id, owner_person_id=person_id)
    return {"owner_team_id": team_id, "owner_person_id": person_id}


async def create_channel(
    session: AsyncSession,
    *,
    principal: Principal,
    url_rules: UrlRules,
    kind: ChannelKind,
    fields: dict[str, Any],
    owner_team_id: uuid.UUID | None = None,
    owner_person_id: uuid.UUID | None = None,
) -> ChannelWithSecret:
    """Create a channel owned by a team or a person (the caller by default), with its secret."""
    owner = await _owner(session, principal, owner_team_id, owner_person_id)
    checked = await checked_fields(session, fields, kind=kind, rules=url_rules)
    secret = new_secret()
    channel = NotificationChannel(id=uuid.uuid4(), kind=kind, secret=secret, **owner, **checked)
    session.add(channel)
    await session.flush()
    return ChannelWithSecret(channel, secret)


async def _changeable(
    session: AsyncSession, principal: Principal, channel_id: uuid.UUID
) -> NotificationChannel:
    channel = require_found(
        await repository.get_channel(session, channel_id), what="notification channel"
    )
    require_channel_owner(
        principal, owner_team_id=channel.owner_team_id, owner_person_id=channel.owner_person_id
    )
    return channel


async def update_channel(
    session: AsyncSession,
    *,
    principal: Principal,
    url_rules: UrlRules,
    channel_id: uuid.UUID,
    version: int,
    changes: dict[str, Any],
) -> NotificationChannel:
    """Change a channel's name, target, events, scope or activity; turning it on again
    forgets why the catalog turned it off."""
    channel = await _changeable(session, principal, channel_id)
    check_version(channel, version)
    checked = await checked_fields(session, changes, kind=channel.kind, rules=url_rules)
    if "active" in checked:
        checked["disabled_reason"] = None
    apply_changes(channel, checked)
    await session.flush()
    return channel


async def delete_channel(
    session: AsyncSession, *, principal: Principal, channel_id: uuid.UUID, version: int
) -> None:
    """Delete a channel and its deliveries."""
    channel = await _changeable(session, principal, channel_id)
    await delete_record(session, channel, version, what="notification channel")


async def rotate_secret(
    session: AsyncSession, *, principal: Principal, channel_id: uuid.UUID
) -> ChannelWithSecret:
    """Give a channel a new signing secret; the old one signs nothing from now on."""
    channel = await _changeable(session, principal, channel_id)
    channel.secret = new_secret()
    await session.flush()
    return ChannelWithSecret(channel, channel.secret)


async def ping_channel(
    session: AsyncSession, *, principal: Principal, channel_id: uuid.UUID
) -> Delivery:
    """Queue a PING to this channel alone, whatever events it subscribes to."""
    channel = await _changeable(session, principal, channel_id)
    if not channel.active:
        raise ChannelInactive("the channel is inactive; activate it first", field=["id"])
    key = f"ping:{uuid.uuid4()}"
    notice = Notice(
        event=NotificationEvent.PING,
        key=key,
        occurred_at=utcnow(),
        data={"channelId": encode_global_id("NotificationChannel", channel.id)},
        title=PING_TITLE,
        lines=(f"Channel {channel.name!r} receives notifications from the catalog.",),
        channel_id=channel.id,
    )
    await enqueue(session, [notice])
    delivery = await repository.delivery_by_event_key(session, channel.id, key)
    assert delivery is not None  # just written in this transaction
    return delivery


async def redeliver(
    session: AsyncSession, *, principal: Principal, delivery_id: uuid.UUID
) -> Delivery:
    """Send a finished delivery again: PENDING now, its attempts and last error kept."""
    delivery = require_found(
        await repository.get_delivery_with_channel(session, delivery_id),
        what="delivery",
        field="deliveryId",
    )
    channel = delivery.channel
    require_channel_owner(
        principal,
        owner_team_id=channel.owner_team_id if channel else None,
        owner_person_id=channel.owner_person_id if channel else delivery.recipient_person_id,
    )
    if delivery.status not in REDELIVERABLE:
        raise NotRedeliverable(
            f"a {delivery.status.value} delivery is on its way already; only DELIVERED,"
            " FAILED or DEAD ones are sent again",
            field=["deliveryId"],
        )
    if channel is not None and not channel.active:
        raise ChannelInactive(
            "the delivery's channel is inactive; activate it before sending again",
            field=["deliveryId"],
        )
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = utcnow()
    delivery.delivered_at = None
    await session.flush()
    await notify(session, Channel.DELIVERIES, {"redelivered": 1})
    return delivery
