"""What a channel may say: its name, its target for its kind, its events and services.

Every field is checked before anything is stored, and every refusal names its field, so
one answer lists all that is wrong with the input.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.errors import DomainError, DomainErrors, Invalid, NotFound, Required, TooLong
from core.ids import encode_global_id
from core.repository import get_by_ids
from core.validation import text_field
from notifications.models import ChannelKind, NotificationEvent
from notifications.targets import TargetRefused, UrlRules, check_emails, check_resolved, check_url

MAX_NAME = 200
MAX_TARGET = 2000
MAX_SERVICES = 100
URL_KINDS = frozenset({ChannelKind.WEBHOOK, ChannelKind.SLACK, ChannelKind.TEAMS})


async def checked_target(kind: ChannelKind, target: str, rules: UrlRules) -> str:
    """The target as stored: a URL safe to call, or the normalised email addresses."""
    if len(target) > MAX_TARGET:
        raise TooLong(f"target is at most {MAX_TARGET} characters", field=["target"])
    try:
        if kind in URL_KINDS:
            url = check_url(target, rules)
            await check_resolved(url, rules)
            return url
        return ", ".join(check_emails(target))
    except TargetRefused as refused:
        raise Invalid(f"target {refused}", field=["target"]) from None


def checked_events(events: Iterable[NotificationEvent]) -> list[str]:
    """The events, once each in the order given; at least one, never PING."""
    chosen = list(dict.fromkeys(NotificationEvent(event) for event in events))
    if not chosen:
        raise Required("events must name at least one event", field=["events"])
    if NotificationEvent.PING in chosen:
        raise Invalid(
            "PING is sent only by testNotificationChannel; a channel cannot subscribe to it",
            field=["events"],
        )
    return [event.value for event in chosen]


async def checked_service_ids(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """The services, once each; every one a live (not archived) service."""
    chosen = list(dict.fromkeys(service_ids))
    if len(chosen) > MAX_SERVICES:
        raise Invalid(f"serviceIds names at most {MAX_SERVICES} services", field=["serviceIds"])
    found = await get_by_ids(session, Service, chosen)
    missing = [key for key in chosen if key not in found or found[key].archived_at is not None]
    if missing:
        names = ", ".join(encode_global_id("Service", key) for key in missing)
        raise NotFound(f"serviceIds names no live service: {names}", field=["serviceIds"])
    return chosen


async def checked_fields(
    session: AsyncSession, fields: dict[str, Any], *, kind: ChannelKind, rules: UrlRules
) -> dict[str, Any]:
    """The given fields checked and normalised; every refusal at once (DomainErrors)."""
    checked = dict(fields)
    errors: list[DomainError] = []
    for name in ("name", "target", "events", "service_ids"):
        if name not in fields:
            continue
        try:
            checked[name] = await _checked(session, name, fields[name], kind=kind, rules=rules)
        except DomainError as error:
            errors.append(error)
    if errors:
        raise DomainErrors(errors)
    return checked


async def _checked(
    session: AsyncSession, name: str, value: Any, *, kind: ChannelKind, rules: UrlRules
) -> Any:
    if name == "name":
        return text_field(value, field="name", max_length=MAX_NAME)
    if name == "target":
        return await checked_target(kind, value, rules)
    if name == "events":
        return checked_events(value)
    return await checked_service_ids(session, value)
