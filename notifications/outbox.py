"""The transactional outbox: what happened, written as deliveries in the caller's transaction.

`enqueue` writes one delivery per channel that wants the notice (active, subscribed to its
event, its services in scope, severe enough) and one per person it is addressed to, in the
session of the change that caused it: a rolled-back change notifies nobody, a committed one
is sent by the dispatcher (notifications/dispatcher.py) even if the process dies meanwhile.
Each (event key, destination) is written once, so recording the same occurrence again (a
job re-run, a concurrent worker) sends nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Uuid,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from core.notifications import Channel, notify
from notifications.models import Delivery, NotificationChannel, NotificationEvent
from work.incidents.models import Severity


@dataclass(frozen=True)
class Recipient:
    """A person a notice is addressed to by email (not through a channel)."""

    email: str
    person_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Notice:
    """One occurrence of an event, ready to send.

    `key` names the occurrence (e.g. `sla-event:42`): a destination gets each key once.
    `data` is the webhook body's `data` (global ids and plain values); `title` and `lines`
    are what a person reads in chat or email; `link` a catalog URL path, if any.
    """

    event: NotificationEvent
    key: str
    occurred_at: datetime
    data: Mapping[str, Any]
    title: str
    lines: Sequence[str] = ()
    link: str | None = None
    # The services it concerns, for channels scoped to services; empty: none in particular.
    service_ids: Sequence[uuid.UUID] = ()
    severity: Severity | None = None
    recipients: Sequence[Recipient] = field(default_factory=tuple)
    # Only to this channel (testNotificationChannel), whatever it subscribes to.
    channel_id: uuid.UUID | None = None

    def body(self) -> dict[str, Any]:
        return {
            "type": self.event.type_name,
            "timestamp": self.occurred_at.isoformat(),
            "data": dict(self.data),
        }

    def message(self) -> dict[str, Any]:
        return {"title": self.title, "lines": list(self.lines), "link": self.link}


def _wanted_by(notice: Notice) -> Any:
    """Which channels want the notice: active, subscribed, in scope, severe enough."""
    channel = NotificationChannel
    if notice.channel_id is not None:
        return channel.id == notice.channel_id
    services = cast(
        bindparam(None, [str(key) for key in notice.service_ids], type_=ARRAY(Uuid)),
        ARRAY(Uuid),
    )
    in_scope = or_(
        func.cardinality(channel.service_ids) == 0, channel.service_ids.overlap(services)
    )
    conditions = [
        channel.active.is_(True),
        channel.events.contains([notice.event.value]),
        in_scope,
    ]
    if notice.severity is not None:
        # SEV1 is the worst and sorts first: "at least SEV2" takes SEV1 and SEV2.
        conditions.append(
            or_(channel.min_severity.is_(None), channel.min_severity >= notice.severity)
        )
    return and_(*conditions)


async def enqueue(session: AsyncSession, notices: Sequence[Notice]) -> int:
    """Write the deliveries of the notices in the session's transaction; how many were new."""
    written = 0
    for notice in notices:
        body = cast(literal(notice.body(), JSONB), JSONB)
        message = cast(literal(notice.message(), JSONB), JSONB)
        to_channels: ReturningInsert[Any] = (
            insert(Delivery)
            .from_select(
                ["channel_id", "event", "event_key", "body", "message"],
                select(
                    NotificationChannel.id,
                    literal(notice.event.value),
                    literal(notice.key),
                    body,
                    message,
                ).where(_wanted_by(notice)),
            )
            .on_conflict_do_nothing()
            .returning(literal_column("1"))
        )
        written += len((await session.execute(to_channels)).all())
        if notice.recipients and notice.channel_id is None:
            to_people: ReturningInsert[Any] = (
                insert(Delivery)
                .values(
                    [
                        {
                            "recipient": person.email,
                            "recipient_person_id": person.person_id,
                            "event": notice.event.value,
                            "event_key": notice.key,
                            "body": notice.body(),
                            "message": notice.message(),
                        }
                        for person in _distinct(notice.recipients)
                    ]
                )
                .on_conflict_do_nothing()
                .returning(literal_column("1"))
            )
            written += len((await session.execute(to_people)).all())
    if written:
        await notify(session, Channel.DELIVERIES, {"written": written})
    return written


def _distinct(recipients: Sequence[Recipient]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for person in recipients:
        seen.setdefault(person.email.lower(), person)
    return list(seen.values())
