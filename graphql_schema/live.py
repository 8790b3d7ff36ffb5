"""Subscriptions fed by PostgreSQL notifications (core/notification_hub.py).

A notification names an object by id; the subscription loads it, with the relations the
subscription selected, in a short read-only transaction of its own: the connection's
session is released and its loaders forgotten once the object has been sent, so a
websocket never holds a database connection between deliveries. Deliveries of the
subscriptions sharing one websocket take turns, since they share its context.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption
from starlette.websockets import WebSocket
from strawberry.types.graphql import OperationType

from core.errors import DomainError
from core.notification_hub import NotificationHub, SubscriberDropped
from core.notifications import Channel
from core.repository import get_by_id
from graphql_schema.context import Info
from graphql_schema.errors import BadUserInput, CodedError, Unauthenticated
from graphql_schema.node import decode_id
from graphql_schema.prefetch import loader_options
from identity.models import Person
from identity.principal import Principal

Delivered = TypeVar("Delivered")


class SubscriptionDropped(CodedError):
    """The subscriber fell too far behind, or the server lost its notifications."""

    code = "SUBSCRIPTION_DROPPED"


class LiveUpdatesUnavailable(CodedError):
    code = "INTERNAL_SERVER_ERROR"


def _hub(info: Info) -> NotificationHub:
    request = info.context.request
    hub = getattr(getattr(getattr(request, "app", None), "state", None), "live", None)
    if not isinstance(hub, NotificationHub):
        raise LiveUpdatesUnavailable("live updates are not available on this server")
    return hub


def service_filter(value: strawberry.ID | None) -> str | None:
    """The service a subscription is narrowed to, as notifications name it."""
    if value is None:
        return None
    try:
        return str(decode_id(value, "Service", field="serviceId"))
    except DomainError as error:
        raise BadUserInput(error.message) from None


def selected_options(info: Info, type_name: str) -> Sequence[ORMOption]:
    """Loader options for what the subscription selected on the object it delivers."""
    return loader_options(info.selected_fields[0].selections, type_name)


def load_by_id(
    info: Info, model: type[Any], type_name: str, convert: Callable[[Any], Delivered]
) -> Callable[[AsyncSession, dict[str, Any]], Awaitable[Delivered | None]]:
    """How a subscription loads the record a notification names by its UUID `id`, with what
    the subscriber selected on it."""
    options = selected_options(info, type_name)

    async def load(session: AsyncSession, payload: dict[str, Any]) -> Delivered | None:
        key = payload_id(payload)
        found = await get_by_id(session, model, key, options) if key else None
        return convert(found) if found is not None else None

    return load


def payload_id(payload: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(payload["id"]))
    except (KeyError, ValueError):
        return None


async def deliveries(
    info: Info,
    channel: Channel,
    *,
    matches: Callable[[dict[str, Any]], bool],
    load: Callable[[AsyncSession, dict[str, Any]], Awaitable[Delivered | None]],
) -> AsyncIterator[Delivered]:
    """The objects named by the channel's notifications that `matches` accepts, loaded."""
    context = info.context
    lock = context.delivery_lock
    async with _hub(info).subscribe(channel) as subscription:
        while True:
            try:
                payload = await subscription.get()
            except SubscriberDropped as error:
                raise SubscriptionDropped(f"{error}; subscribe again") from None
            if not matches(payload):
                continue
            async with lock:
                try:
                    async with context.db() as session:
                        await _still_active(session, context.principal)
                        found = await load(session, payload)
                    if found is not None:
                        yield found  # its fields are resolved before the next delivery
                finally:
                    context.reset_loaders()
                    await context.finish(commit=False, final=False)


async def _still_active(session: AsyncSession, principal: Principal | None) -> None:
    """A person deactivated while subscribed gets nothing more, as on their next request."""
    if principal is None or principal.person_id is None:
        return
    if not await session.scalar(select(Person.active).where(Person.id == principal.person_id)):
        raise Unauthenticated("the account was deactivated; the subscription has ended")


def transport_error(context: Any, operation_type: OperationType) -> GraphQLError | None:
    """Over a websocket only subscriptions run: a query or mutation there would share the
    connection's session, and a write would never be committed."""
    request = getattr(context, "request", None)
    if isinstance(request, WebSocket) and operation_type is not OperationType.SUBSCRIPTION:
        return GraphQLError(
            "only subscriptions run over a websocket; send queries and mutations over HTTP",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return None
