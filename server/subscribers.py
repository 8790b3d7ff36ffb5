"""Who reacts to which domain event: wired here, the only place that knows both sides."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.requests import actions as requests
from core.events import BacklogItemsReleased, BacklogItemsUnreleased, subscribe
from feedback import actions as feedback


async def _deliver_feedback(session: AsyncSession, event: BacklogItemsReleased) -> None:
    await feedback.deliver_for_items(session, event.item_ids)


async def _undeliver_feedback(session: AsyncSession, event: BacklogItemsUnreleased) -> None:
    await feedback.undeliver_for_items(session, event.item_ids)


async def _fulfil_requests(session: AsyncSession, event: BacklogItemsReleased) -> None:
    await requests.fulfil_for_items(session, event.item_ids)


async def _unfulfil_requests(session: AsyncSession, event: BacklogItemsUnreleased) -> None:
    await requests.unfulfil_for_items(session, event.item_ids)


def wire() -> None:
    subscribe(BacklogItemsReleased, _deliver_feedback)
    subscribe(BacklogItemsUnreleased, _undeliver_feedback)
    subscribe(BacklogItemsReleased, _fulfil_requests)
    subscribe(BacklogItemsUnreleased, _unfulfil_requests)
