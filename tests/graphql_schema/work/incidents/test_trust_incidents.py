"""Shared responsibility over GraphQL: an incident linked to a Trust incident (owner team or
ADMIN, audited), what counts against the vendor on incidents, objectives and kpiSummary, and
the vendor incidents of an org's instance."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.trust.models import INCIDENTS, TrustSync, VendorIncident
from graphql_schema.node import global_id
from identity.audit import AuditEvent
from service_levels.models import Comparator, Metric, Objective, Sla, WindowKind
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_team
from tests.builders.work import incident_with_moves
from tests.graphql_schema.desk import Desk
from work.incidents.models import Incident, IncidentStatus, Severity

LINK = """
mutation($input: LinkTrustIncidentInput!) {
  linkTrustIncident(input: $input) {
    incident { version vendorAttributed vendorAttributedSeconds trustIncident { trustId url } }
    userErrors { field message code }
  }
}
"""
UNLINK = """
mutation($input: UnlinkTrustIncidentInput!) {
  unlinkTrustIncident(input: $input) {
    incident { vendorAttributed trustIncident { trustId } }
    userErrors { field message code }
  }
}
"""
INCIDENT = """
query($id: ID!) {
  node(id: $id) {
    ... on Incident {
      vendorAttributed vendorAttributedSeconds vendorIncidents { trustId instanceKeys }
    }
  }
}
"""
ORG = """
query($id: ID!) {
  node(id: $id) {
    ... on SalesforceOrg {
      instanceKey
      vendorIncidents { trustId instanceKeys severity impactType endedAt url }
    }
  }
}
"""
OBJECTIVES = """
query($id: ID!) {
  node(id: $id) {
    ... on Sla {
      objectives { metric currentValue status vendorAttributed { vendorSplit teamValue rawValue } }
    }
  }
}
"""
SUMMARY = """
query($id: ID) {
  kpiSummary(scope: SERVICE, scopeId: $id, window: { kind: ROLLING_DAYS, days: 7 }) {
    metrics { metric value vendorAttributed { vendorSplit teamValue rawValue } }
  }
}
"""
NOW = datetime.now(UTC)


async def _trust_incident(
    session: AsyncSession, keys: list[str], start: datetime, end: datetime | None, number: int
) -> VendorIncident:
    row = VendorIncident(
        trust_id=number,
        instance_keys=keys,
        service_keys=["coreService"],
        is_core=True,
        affects_all=False,
        severity="major",
        impact_type="serviceDisruption",
        started_at=start,
        ended_at=end,
        synced_at=NOW,
    )
    session.add(row)
    await session.flush()
    return row


async def _sev1(session: AsyncSession, service_id: uuid.UUID) -> Incident:
    """Two hours down, from three hours ago to one hour ago."""
    start, end = NOW - timedelta(hours=3), NOW - timedelta(hours=1)
    moves = [(start, IncidentStatus.DETECTED), (end, IncidentStatus.MITIGATED)]
    incident = await incident_with_moves(
        session, moves, service_ids=[service_id], severity=Severity.SEV1
    )
    incident.mitigated_at = end
    await session.flush()
    return incident


def _link(incident: Incident, trust_id: int) -> dict[str, Any]:
    return {"input": {"incidentId": global_id("Incident", incident.id), "trustId": trust_id}}


async def test_the_owner_team_links_an_incident_to_a_trust_incident_and_it_is_audited(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    service = await create_service(session, owner_team_id=team.id)  # no instance known
    incident = await _sev1(session, service.id)
    await _trust_incident(session, ["NA99"], NOW - timedelta(hours=2), None, 4242)
    engineer = await desk.person(session, teams=[team.id])

    linked = await engineer.data(LINK, _link(incident, 4242))
    unlinked = await engineer.data(
        UNLINK, {"input": {"incidentId": global_id("Incident", incident.id)}}
    )
    audited = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == str(incident.id))
        )
    ).all()

    assert linked["linkTrustIncident"] == {
        "incident": {
            "version": 3,
            "vendorAttributed": True,
            "vendorAttributedSeconds": pytest.approx(3600),
            "trustIncident": {
                "trustId": 4242,
                "url": "https://status.salesforce.com/incidents/4242",
            },
        },
        "userErrors": [],
    }
    assert unlinked["unlinkTrustIncident"] == {
        "incident": {"vendorAttributed": False, "trustIncident": None},
        "userErrors": [],
    }
    assert sorted(audited) == ["linkTrustIncident", "unlinkTrustIncident"]


async def test_an_unknown_trust_incident_is_refused_and_changes_nothing(
    desk: Desk, session: AsyncSession
) -> None:
    service = await create_service(session)
    incident = await _sev1(session, service.id)
    admin = await desk.person(session, "admins")

    body = await admin.data(LINK, _link(incident, 999))

    assert body["linkTrustIncident"] == {
        "incident": None,
        "userErrors": [
            {
                "field": ["trustId"],
                "message": "Trust incident (not synced yet, or no such number) not found",
                "code": "NOT_FOUND",
            }
        ],
    }


async def test_another_team_may_not_link_an_incident(desk: Desk, session: AsyncSession) -> None:
    service = await create_service(session)
    incident = await _sev1(session, service.id)
    await _trust_incident(session, ["NA99"], NOW - timedelta(hours=2), None, 4243)
    stranger = await desk.person(session, teams=[(await create_team(session)).id])

    body = await stranger.gql(LINK, _link(incident, 4243))

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_incident_on_an_instance_with_a_trust_incident_counts_it_and_the_org_lists_it(
    desk: Desk, session: AsyncSession
) -> None:
    org = await create_org(session, instance_key="NA135")
    service = await create_service(session, orgs=[org])
    incident = await _sev1(session, service.id)
    vendor = await _trust_incident(
        session, ["NA135"], NOW - timedelta(hours=4), NOW - timedelta(hours=2), 4244
    )
    await _trust_incident(session, ["EU45"], NOW - timedelta(hours=4), None, 4245)
    agent = await desk.person(session, "support")

    found = await agent.data(INCIDENT, {"id": global_id("Incident", incident.id)})
    listed = await agent.data(ORG, {"id": global_id("SalesforceOrg", org.id)})

    assert found["node"] == {
        "vendorAttributed": True,
        "vendorAttributedSeconds": pytest.approx(3600),
        "vendorIncidents": [{"trustId": vendor.trust_id, "instanceKeys": ["NA135"]}],
    }
    assert listed["node"] == {
        "instanceKey": "NA135",
        "vendorIncidents": [
            {
                "trustId": 4244,
                "instanceKeys": ["NA135"],
                "severity": "major",
                "impactType": "serviceDisruption",
                "endedAt": (NOW - timedelta(hours=2)).isoformat(),
                "url": "https://status.salesforce.com/incidents/4244",
            }
        ],
    }


async def test_objectives_and_kpi_summary_answer_the_team_and_the_raw_figures(
    desk: Desk, session: AsyncSession
) -> None:
    org = await create_org(session, instance_key="NA135")
    service = await create_service(session, orgs=[org])
    await _sev1(session, service.id)
    await _trust_incident(
        session, ["NA135"], NOW - timedelta(hours=4), NOW - timedelta(hours=2), 4246
    )
    sla = Sla(service_id=service.id, name="Restore")
    session.add(sla)
    await session.flush()
    session.add(
        Objective(
            sla_id=sla.id,
            position=0,
            metric=Metric.MTTR,
            comparator=Comparator.AT_MOST,
            target=5400,
            window_kind=WindowKind.ROLLING_DAYS,
            window_days=7,
        )
    )
    await session.flush()
    agent = await desk.person(session, "support")
    variables = {"id": global_id("Sla", sla.id)}

    stale = await agent.data(OBJECTIVES, variables)
    session.add(TrustSync(feed=INCIDENTS, synced_at=NOW, attempted_at=NOW))
    await session.flush()
    split = await agent.data(OBJECTIVES, variables)
    summary = await agent.data(SUMMARY, {"id": global_id("Service", service.id)})

    assert stale["node"]["objectives"] == [
        {
            "metric": "MTTR",
            "currentValue": pytest.approx(7200),
            "status": "BREACHED",
            "vendorAttributed": {
                "vendorSplit": False,
                "teamValue": None,
                "rawValue": pytest.approx(7200),
            },
        }
    ]
    assert split["node"]["objectives"] == [
        {
            "metric": "MTTR",
            "currentValue": pytest.approx(3600),
            "status": "MET",
            "vendorAttributed": {
                "vendorSplit": True,
                "teamValue": pytest.approx(3600),
                "rawValue": pytest.approx(7200),
            },
        }
    ]
    by_metric = {item["metric"]: item for item in summary["kpiSummary"]["metrics"]}
    assert by_metric["MTTR"]["vendorAttributed"] == {
        "vendorSplit": True,
        "teamValue": pytest.approx(3600),
        "rawValue": pytest.approx(7200),
    }
    assert (
        by_metric["AVAILABILITY"]["vendorAttributed"]["rawValue"]
        < by_metric["AVAILABILITY"]["value"]
    )
    assert by_metric["SATISFACTION"]["vendorAttributed"] is None
