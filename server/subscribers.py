"""Who reacts to which domain event: wired here, the only place that knows both sides."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.org_users import actions as org_users
from core.events import (
    BacklogItemsReleased,
    BacklogItemsUnreleased,
    EvaluationsRecorded,
    FeedbackDelivered,
    IncidentsChanged,
    IncidentsOpened,
    PeopleDeactivated,
    ReleaseShipped,
    RequestEscalated,
    ServiceClockTermsChanged,
    ServiceRequestsChanged,
    subscribe,
)
from core.settings import Settings
from feedback import actions as feedback
from feedback.idea_write_back import record_write_backs
from notifications.notices import ai_models as ai_model_notices
from notifications.notices import feedback as feedback_notices
from notifications.notices import work as work_notices
from notifications.outbox import enqueue
from service_levels import clock_stamps
from work.incidents.announcements import announce_incidents
from work.requests import actions as requests


async def _deliver_feedback(session: AsyncSession, event: BacklogItemsReleased) -> None:
    await feedback.deliver_for_items(session, event.item_ids)


async def _write_back_ideas(session: AsyncSession, event: FeedbackDelivered) -> None:
    # Only recorded here; the salesforce-idea-write-back job sends it outside the release.
    await record_write_backs(session, event.feedback_ids)


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


# Notifications: each occurrence's deliveries join the transaction that caused it (the outbox).


async def _notify_incidents_opened(session: AsyncSession, event: IncidentsOpened) -> None:
    await enqueue(session, await work_notices.incident_opened_notices(session, event.incident_ids))


async def _notify_request_escalated(session: AsyncSession, event: RequestEscalated) -> None:
    notices = await work_notices.request_escalated_notices(session, event.request_id, event.at)
    await enqueue(session, notices)


async def _notify_release_shipped(session: AsyncSession, event: ReleaseShipped) -> None:
    await enqueue(session, await work_notices.release_shipped_notices(session, event.release_id))


async def _notify_feedback_delivered(session: AsyncSession, event: FeedbackDelivered) -> None:
    notices = await feedback_notices.feedback_delivered_notices(session, event.feedback_ids)
    await enqueue(session, notices)


async def _notify_failing_models(session: AsyncSession, event: EvaluationsRecorded) -> None:
    notices = await ai_model_notices.failing_notices(session, event.evaluation_ids)
    await enqueue(session, notices)


async def _reconcile_org_users(session: AsyncSession, event: PeopleDeactivated) -> None:
    await org_users.mark_reconciliation_due(session)


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
    subscribe(IncidentsOpened, _notify_incidents_opened)
    subscribe(RequestEscalated, _notify_request_escalated)
    subscribe(ReleaseShipped, _notify_release_shipped)
    subscribe(FeedbackDelivered, _notify_feedback_delivered)
    subscribe(FeedbackDelivered, _write_back_ideas)
    subscribe(EvaluationsRecorded, _notify_failing_models)
    subscribe(PeopleDeactivated, _reconcile_org_users)
