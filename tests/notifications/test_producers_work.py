"""INCIDENT_OPENED, REQUEST_ESCALATED and RELEASE_SHIPPED: written by the action's transaction,
to the channels that want them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.services.models import Tier
from core.ids import encode_global_id
from notifications.models import NotificationEvent
from salesforce.deadline import Deadline
from salesforce.records import CaseDraft, EscalatedCase
from tests.builders.catalog import create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_item, create_release, create_request
from tests.notifications.channel_builders import create_channel
from tests.notifications.producers import ADMIN, deliveries, wired
from work.backlog.models import BacklogItemStatus
from work.incidents.actions import Alert, report_incident
from work.incidents.models import IncidentSource, Severity
from work.releases.actions import ship_release
from work.releases.models import ReleaseStatus
from work.requests.escalation import escalate_request
from work.requests.models import RequestStatus

__all__ = ["wired"]
pytestmark = pytest.mark.usefixtures("wired")
OPENED = [NotificationEvent.INCIDENT_OPENED.value]


def _alert(service_id: uuid.UUID, severity: Severity, key: str = "disk-full") -> Alert:
    return Alert(IncidentSource.MONITORING, key, "Checkout is down", severity, [service_id])


async def test_an_incident_opened_reaches_channels_severe_enough_once(
    session: AsyncSession,
) -> None:
    service = await create_service(session, tier=Tier.TIER_1, name="Checkout")
    any_severity = await create_channel(session, events=OPENED)
    sev1_only = await create_channel(session, events=OPENED, min_severity=Severity.SEV1)
    await create_channel(session, events=OPENED, service_ids=[uuid.uuid4()])
    await create_channel(session, events=[NotificationEvent.SLA_BREACHED.value])

    incident = await report_incident(
        session, principal=ADMIN, alert=_alert(service.id, Severity.SEV2)
    )
    # A repeat of the open alert folds into the incident: nothing is opened, nobody told again.
    await report_incident(session, principal=ADMIN, alert=_alert(service.id, Severity.SEV1))

    [delivery] = await deliveries(session)
    assert delivery.channel_id == any_severity.id != sev1_only.id
    assert delivery.event_key == f"incident-opened:{incident.id}"
    assert delivery.body["type"] == "incident.opened"
    assert delivery.body["data"] == {
        "incidentId": encode_global_id("Incident", incident.id),
        "serviceIds": [encode_global_id("Service", service.id)],
        "severity": "SEV2",
        "title": "Checkout is down",
    }
    assert delivery.message["title"] == "SEV2 incident opened: Checkout is down"
    assert delivery.message["lines"][0] == "Services: Checkout"


async def test_an_incident_report_rolled_back_notifies_nobody(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    service = await create_service(session)
    await create_channel(session, events=OPENED)

    async with sessionmaker() as action:
        await report_incident(action, principal=ADMIN, alert=_alert(service.id, Severity.SEV1))
        await action.rollback()

    assert await deliveries(session) == []


class _Desk:
    """A Salesforce support desk that opens every Case it is asked for."""

    support_org = "support"

    def connected(self, ref: str | None) -> bool:
        return True

    async def escalate_case(
        self,
        *,
        external_id: str,
        case: CaseDraft,
        ref: str | None = None,
        deadline: Deadline | None = None,
    ) -> EscalatedCase:
        return EscalatedCase("00D000000000001", "500000000000001", "00001234", True, "https://x")


async def test_a_request_escalated_reaches_subscribed_channels_once(session: AsyncSession) -> None:
    service = await create_service(session, name="Billing")
    requester = await create_person(session)
    request = await create_request(
        session, service_id=service.id, requester_id=requester.id, status=RequestStatus.TRIAGED
    )
    wanted = await create_channel(session, events=[NotificationEvent.REQUEST_ESCALATED.value])

    await escalate_request(session, principal=ADMIN, desk=_Desk(), request_id=request.id)
    # Escalating again finds the same Case; the request does not move, nobody is told again.
    await escalate_request(session, principal=ADMIN, desk=_Desk(), request_id=request.id)

    [delivery] = await deliveries(session)
    assert delivery.channel_id == wanted.id
    assert delivery.event_key.startswith(f"request-escalated:{request.id}:")
    assert delivery.body["type"] == "request.escalated"
    assert delivery.body["data"] == {
        "requestId": encode_global_id("ServiceRequest", request.id),
        "serviceId": encode_global_id("Service", service.id),
        "priority": "P3",
        "vendorCaseNumber": "00001234",
    }
    assert delivery.message["title"] == "P3 request escalated to the vendor: Give me access"


async def test_a_release_shipped_reaches_the_channels_of_its_services(
    session: AsyncSession,
) -> None:
    team = await create_team(session)
    service = await create_service(session, owner_team_id=team.id, name="Portal")
    release = await create_release(
        session,
        owner_team_id=team.id,
        service_ids=(service.id,),
        status=ReleaseStatus.IN_PROGRESS,
        name="Winter",
        version_label="2.0",
    )
    await create_item(
        session, team_id=team.id, status=BacklogItemStatus.DONE, release_id=release.id
    )
    events = [NotificationEvent.RELEASE_SHIPPED.value]
    in_scope = await create_channel(session, events=events, service_ids=[service.id])
    await create_channel(session, events=events, service_ids=[uuid.uuid4()])

    await ship_release(session, principal=ADMIN, release_id=release.id, version=None)

    [delivery] = await deliveries(session)
    assert delivery.channel_id == in_scope.id
    assert delivery.body["type"] == "release.shipped"
    assert delivery.body["data"] == {
        "releaseId": encode_global_id("Release", release.id),
        "serviceIds": [encode_global_id("Service", service.id)],
        "name": "Winter",
        "versionLabel": "2.0",
    }
    assert delivery.message == {
        "title": "Release shipped: Winter 2.0",
        "lines": ["Services: Portal", "Items: 1"],
        "link": None,
    }
