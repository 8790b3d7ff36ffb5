"""In-transaction domain events: a lower package announces, `server/` wires who reacts.

A handler runs in the publisher's session and transaction, so the announcement and its
consequences commit (or roll back) together. Lower packages never import the higher
packages that react to them; `server/` subscribes those reactions at start-up.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

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
    """Run every handler of the event now, in the caller's transaction."""
    for handler in _handlers.get(type(event), ()):
        await handler(session, event)
