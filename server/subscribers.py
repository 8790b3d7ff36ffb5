"""Who reacts to which domain event: wired here, the only place that knows both sides."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.events import (
    BacklogItemsReleased,
    BacklogItemsUnreleased,
    IncidentsChanged,
    ServiceClockTermsChanged,
    ServiceRequestsChanged,
    subscribe,
)
from core.settings import Settings
from feedback import actions as feedback
from service_levels import clock_stamps
from work.incidents.announcements import announce_incidents
from work.requests import actions as requests


async def _deliver_feedback(session: AsyncSession, event: BacklogItemsReleased) -> None:
    await feedback.deliver_for_items(session, event.item_ids)


async def _undeliver_feedback(session: AsyncSession, event: BacklogItemsUnreleased) -> None:
    await feedback.undeliver_for_items(session, event.item_ids)


async def _fulfil_requests(session: AsyncSession, event: BacklogItemsReleased) -> None:
    await requests.fulfil_for_items(session, event.item_ids)


async def _unfulfil_requests(session: AsyncSession, event: BacklogItemsUnreleased) -> None:
    await requests.unfulfil_for_items(session, event.item_ids)


async def _stamp_request_clocks(session: AsyncSession, event: ServiceRequestsChanged) -> None:
    await clock_stamps.restamp_requests(session, event.request_ids)


async def _stamp_incident_clocks(session: AsyncSession, event: IncidentsChanged) -> None:
    await clock_stamps.restamp_incidents(session, event.incident_ids)


async def _announce_incidents(session: AsyncSession, event: IncidentsChanged) -> None:
    await announce_incidents(session, event.incident_ids)


async def _restamp_service_clocks(session: AsyncSession, event: ServiceClockTermsChanged) -> None:
    await clock_stamps.restamp_service(session, event.service_id)


def wire(settings: Settings | None = None) -> None:
    """Subscribe the reactions; with settings, also what they are configured by."""
    if settings is not None:
        clock_stamps.configure(warning_percent=settings.sla_warning_percent)
    subscribe(BacklogItemsReleased, _deliver_feedback)
    subscribe(BacklogItemsUnreleased, _undeliver_feedback)
    subscribe(BacklogItemsReleased, _fulfil_requests)
    subscribe(BacklogItemsUnreleased, _unfulfil_requests)
    subscribe(ServiceRequestsChanged, _stamp_request_clocks)
    subscribe(IncidentsChanged, _stamp_incident_clocks)
    subscribe(IncidentsChanged, _announce_incidents)
    subscribe(ServiceClockTermsChanged, _restamp_service_clocks)
