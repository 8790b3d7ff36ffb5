"""In-transaction domain events: a lower package announces, `server/` wires who reacts.

A handler runs in the publisher's session and transaction, so the announcement and its
consequences commit (or roll back) together. Lower packages never import the higher
packages that react to them; `server/` subscribes those reactions at start-up.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class DomainEvent:
    """Base of every event."""


@dataclass(frozen=True)
class BacklogItemsReleased(DomainEvent):
    """Backlog items reached RELEASED (a release shipped)."""

    item_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class BacklogItemsUnreleased(DomainEvent):
    """Released backlog items went back to DONE (a release was rolled back)."""

    item_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class ServiceRequestsChanged(DomainEvent):
    """Requests were filed, moved or re-prioritised: their SLA clocks are due a re-stamp."""

    request_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class IncidentsChanged(DomainEvent):
    """Incidents were reported, moved or changed severity or services: re-stamp their clocks."""

    incident_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class ServiceClockTermsChanged(DomainEvent):
    """A service's business calendar or tier changed: its running SLA clocks are re-stamped."""

    service_id: uuid.UUID


@dataclass(frozen=True)
class IncidentsOpened(DomainEvent):
    """Incidents were opened (reported for the first time, not a repeat of an open alert)."""

    incident_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class RequestEscalated(DomainEvent):
    """A request moved to ESCALATED_TO_VENDOR at `at`."""

    request_id: uuid.UUID
    at: datetime


@dataclass(frozen=True)
class ReleaseShipped(DomainEvent):
    """A release reached RELEASED."""

    release_id: uuid.UUID


@dataclass(frozen=True)
class FeedbackDelivered(DomainEvent):
    """Feedback reached DELIVERED (its backlog item was released)."""

    feedback_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class EvaluationsRecorded(DomainEvent):
    """AI-model evaluations were recorded (one, or a bulk import)."""

    evaluation_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class PeopleDeactivated(DomainEvent):
    """People were deactivated (SCIM): the Salesforce orgs are due a reconciliation."""

    person_ids: tuple[uuid.UUID, ...]


Event = TypeVar("Event", bound=DomainEvent)
Handler = Callable[[AsyncSession, Any], Awaitable[None]]

_handlers: dict[type[DomainEvent], list[Handler]] = {}


def subscribe(
    event_type: type[Event], handler: Callable[[AsyncSession, Event], Awaitable[None]]
) -> None:
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


async def publish(session: AsyncSession, event: DomainEvent) -> None:
    """Run every handler of the event now, in the caller's transaction (or hold it, inside
    `merging` for its type)."""
    held = _held.get()
    if held is not None and type(event) in held:
        held[type(event)].append(event)
        return
    for handler in _handlers.get(type(event), ()):
        await handler(session, event)


_held: ContextVar[dict[type[DomainEvent], list[DomainEvent]] | None] = ContextVar(
    "held_events", default=None
)


@asynccontextmanager
async def merging(session: AsyncSession, *event_types: type[DomainEvent]) -> AsyncIterator[None]:
    """Hold the events of these types published inside, and publish each type once on the way
    out, its ids merged: for bulk work (a replayed history) whose handlers recompute from
    scratch, such as the SLA clock stamps. Each type must carry one tuple of ids."""
    for event_type in event_types:
        if len(fields(event_type)) != 1:
            raise TypeError(f"{event_type.__name__} does not carry one tuple of ids")
    held: dict[type[DomainEvent], list[DomainEvent]] = {kind: [] for kind in event_types}
    token = _held.set({**(_held.get() or {}), **held})
    try:
        yield
    finally:
        _held.reset(token)
    for event_type, events in held.items():
        ids = dict.fromkeys(
            key for event in events for key in getattr(event, fields(event)[0].name)
        )
        if ids:
            await publish(session, cast(Any, event_type)(tuple(ids)))
