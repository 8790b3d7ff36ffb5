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
    String,
    Text,
    Uuid,
    and_,
    any_,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    values,
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
    # False: only to the recipients (a person's digest), never to channels.
    to_channels: bool = True

    def body(self) -> dict[str, Any]:
        return {
            "type": self.event.type_name,
            "timestamp": self.occurred_at.isoformat(),
            "data": dict(self.data),
        }

    def message(self) -> dict[str, Any]:
        return {"title": self.title, "lines": list(self.lines), "link": self.link}


# Bound parameters a statement may carry: PostgreSQL's wire protocol counts them in 16 bits.
NOTICES_PER_STATEMENT = 1000

_NOTICE_COLUMNS = (
    column("event", String),
    column("event_key", Text),
    column("body", JSONB),
    column("message", JSONB),
    column("service_ids", ARRAY(Uuid)),
    column("severity", String),
    column("channel_id", Uuid),
)


def _to_channels(notices: Sequence[Notice]) -> ReturningInsert[Any]:
    """One statement writing every notice's deliveries to the channels that want it."""
    notice = (
        values(*_NOTICE_COLUMNS, name="notice")
        .data(
            [
                (
                    item.event.value,
                    item.key,
                    item.body(),
                    item.message(),
                    list(item.service_ids),
                    item.severity.value if item.severity is not None else None,
                    item.channel_id,
                )
                for item in notices
            ]
        )
        .alias("notice")
    )
    channel = NotificationChannel
    # A column all of whose rows are NULL is sent untyped: say what each one is.
    channel_id = cast(notice.c.channel_id, Uuid)
    severity = cast(notice.c.severity, Text)
    subscribed = and_(
        channel_id.is_(None),
        channel.active.is_(True),
        notice.c.event == any_(channel.events),
        or_(
            func.cardinality(channel.service_ids) == 0,
            channel.service_ids.overlap(notice.c.service_ids),
        ),
        # SEV1 is the worst and sorts first: "at least SEV2" takes SEV1 and SEV2.
        or_(
            severity.is_(None),
            channel.min_severity.is_(None),
            cast(channel.min_severity, Text) >= severity,
        ),
    )
    # A notice naming its channel (a test ping) goes there whatever the channel wants.
    wanted = or_(channel.id == channel_id, subscribed)
    return (
        insert(Delivery)
        .from_select(
            # Its own id per row: the column's Python default would give every row one.
            ["id", "channel_id", "event", "event_key", "body", "message"],
            select(
                func.gen_random_uuid(),
                channel.id,
                notice.c.event,
                notice.c.event_key,
                notice.c.body,
                notice.c.message,
            )
            .select_from(notice)
            .join(channel, wanted),
        )
        .on_conflict_do_nothing()
        .returning(literal_column("1"))
    )


def _to_people(notices: Sequence[Notice]) -> ReturningInsert[Any] | None:
    """One statement writing every notice's deliveries to the people it is addressed to."""
    rows = [
        {
            "recipient": person.email,
            "recipient_person_id": person.person_id,
            "event": item.event.value,
            "event_key": item.key,
            "body": item.body(),
            "message": item.message(),
        }
        for item in notices
        if item.channel_id is None
        for person in _distinct(item.recipients)
    ]
    if not rows:
        return None
    return insert(Delivery).values(rows).on_conflict_do_nothing().returning(literal_column("1"))


async def enqueue(session: AsyncSession, notices: Sequence[Notice]) -> int:
    """Write the deliveries of the notices in the session's transaction, in a constant number
    of statements (up to a thousand notices); how many were new."""
    written = 0
    for start in range(0, len(notices), NOTICES_PER_STATEMENT):
        chunk = notices[start : start + NOTICES_PER_STATEMENT]
        for_channels = [item for item in chunk if item.to_channels]
        statements = [_to_channels(for_channels)] if for_channels else []
        to_people = _to_people(chunk)
        if to_people is not None:
            statements.append(to_people)
        for statement in statements:
            written += len((await session.execute(statement)).all())
    if written:
        await notify(session, Channel.DELIVERIES, {"written": written})
    return written


def _distinct(recipients: Sequence[Recipient]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for person in recipients:
        seen.setdefault(person.email.lower(), person)
    return list(seen.values())
