"""Incidents through GraphQL: repeated alerts, the life cycle, back-filled times, cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.services.models import Service
from core.clock import utcnow
from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_person, create_team
from tests.builders.work import create_incident
from tests.graphql_schema.desk import Caller, Desk, desk_client, desk_settings
from tests.identity.idp import TestIssuer
from work.incidents.models import IncidentStatus, Severity

REPORT = """
mutation($input: ReportIncidentInput!) {
  reportIncident(input: $input) {
    incident {
      id title severity source alertKey alertCount status valueStream version
      detectedAt acknowledgedAt
      services { slug }
      statusHistory { fromStatus toStatus at actor }
    }
    userErrors { field message code }
  }
}
"""
TRANSITION = """
mutation($input: TransitionIncidentInput!) {
  transitionIncident(input: $input) {
    incident {
      status version rootCause detectedAt acknowledgedAt mitigatedAt resolvedAt closedAt
      restoreTimeSeconds
      statusHistory { fromStatus toStatus at }
    }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation($input: UpdateIncidentInput!) {
  updateIncident(input: $input) {
    incident { peopleHours cost { amount currency } commander { displayName } services { slug } }
    userErrors { field message code }
  }
}
"""
HISTORY = """
query($id: ID!) {
  node(id: $id) {
    ... on Incident { history { edges { node { version changes { field from to } } } } }
  }
}
"""


def _alert(services: list[Service], **overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "source": "MONITORING",
            "alertKey": "checkout-5xx",
            "title": "Checkout answers 5xx",
            "severity": "SEV3",
            "serviceIds": [global_id("Service", service.id) for service in services],
            **overrides,
        }
    }


def _iso(value: datetime) -> str:
    return value.isoformat()


async def _report(caller: Caller, services: list[Service], **overrides: Any) -> dict[str, Any]:
    body = await caller.data(REPORT, _alert(services, **overrides))
    payload: dict[str, Any] = body["reportIncident"]
    assert payload["userErrors"] == [], payload
    incident: dict[str, Any] = payload["incident"]
    return incident


async def test_monitoring_opens_a_detected_incident(desk: Desk, session: AsyncSession) -> None:
    checkout = await create_service(session, slug="checkout")
    detected = (utcnow() - timedelta(minutes=5)).replace(microsecond=0)
    monitoring = desk.machine()

    incident = await _report(monitoring, [checkout], at=_iso(detected))

    actor = f"client:monitoring@{desk.issuer.issuer}"
    assert {key: value for key, value in incident.items() if key != "id"} == {
        "title": "Checkout answers 5xx",
        "severity": "SEV3",
        "source": "MONITORING",
        "alertKey": "checkout-5xx",
        "alertCount": 1,
        "status": "DETECTED",
        "valueStream": "DETECT_TO_CORRECT",
        "version": 1,
        "detectedAt": _iso(detected),
        "acknowledgedAt": None,
        "services": [{"slug": "checkout"}],
        "statusHistory": [
            {"fromStatus": None, "toStatus": "DETECTED", "at": _iso(detected), "actor": actor}
        ],
    }


async def test_a_repeated_alert_updates_the_open_incident(
    desk: Desk, session: AsyncSession
) -> None:
    checkout = await create_service(session, slug="checkout")
    payments = await create_service(session, slug="payments")
    monitoring = desk.machine()

    first = await _report(monitoring, [checkout])
    raised = await _report(
        monitoring, [payments], title="Checkout and payments 5xx", severity="SEV1"
    )
    calmer = await _report(monitoring, [checkout], severity="SEV4")

    assert raised["id"] == first["id"] == calmer["id"]
    assert (raised["title"], raised["severity"], raised["alertCount"]) == (
        "Checkout and payments 5xx",
        "SEV1",
        2,
    )
    assert raised["services"] == [{"slug": "checkout"}, {"slug": "payments"}]
    # A repeat raises the severity, never lowers it; it adds services, never removes them.
    assert (calmer["severity"], calmer["alertCount"]) == ("SEV1", 3)
    assert calmer["services"] == [{"slug": "checkout"}, {"slug": "payments"}]
    assert len(calmer["statusHistory"]) == 1


async def test_a_resolved_alert_that_fires_again_opens_a_new_incident(
    desk: Desk, session: AsyncSession
) -> None:
    checkout = await create_service(session)
    await create_incident(
        session,
        service_ids=[checkout.id],
        status=IncidentStatus.RESOLVED,
        source="MONITORING",
        alert_key="checkout-5xx",
    )
    open_one = await _report(desk.machine(), [checkout])
    again = await _report(desk.machine(), [checkout])

    assert (open_one["alertCount"], open_one["status"]) == (1, "DETECTED")
    assert again["id"] == open_one["id"]


async def test_another_source_with_the_same_key_is_another_incident(
    desk: Desk, session: AsyncSession
) -> None:
    checkout = await create_service(session)

    monitored = await _report(desk.machine(), [checkout])
    trust = await _report(desk.machine(), [checkout], source="SALESFORCE_TRUST")

    assert monitored["id"] != trust["id"]


async def test_a_person_may_not_say_when_an_incident_was_detected(
    desk: Desk, session: AsyncSession
) -> None:
    checkout = await create_service(session)
    agent = await desk.person(session, "support")

    body = await agent.gql(REPORT, _alert([checkout], at=_iso(utcnow())))

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "at" in body["errors"][0]["message"]


async def test_a_person_may_not_back_fill_a_transition(desk: Desk, session: AsyncSession) -> None:
    checkout = await create_service(session)
    incident = await create_incident(session, service_ids=[checkout.id])
    agent = await desk.person(session, "support")

    body = await agent.gql(
        TRANSITION,
        {
            "input": {
                "id": global_id("Incident", incident.id),
                "version": 1,
                "to": "ACKNOWLEDGED",
                "at": _iso(utcnow()),
            }
        },
    )

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def _move(incident_id: str, version: int, to: str, **extra: Any) -> dict[str, Any]:
    return {"input": {"id": incident_id, "version": version, "to": to, **extra}}


async def _walk(caller: Caller, incident_id: str, *moves: tuple[str, datetime]) -> dict[str, Any]:
    incident: dict[str, Any] = {}
    for version, (to, at) in enumerate(moves, start=1):
        body = await caller.data(TRANSITION, _move(incident_id, version, to, at=_iso(at)))
        payload = body["transitionIncident"]
        assert payload["userErrors"] == [], payload
        incident = payload["incident"]
    return incident


async def test_the_life_cycle_stamps_each_state_and_a_reopen_clears_mitigation(
    desk: Desk, session: AsyncSession
) -> None:
    checkout = await create_service(session)
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    incident = await create_incident(session, service_ids=[checkout.id], detected_at=t0)
    incident_id = global_id("Incident", incident.id)
    admin = await desk.person(session, "admins")
    at = [t0 + timedelta(minutes=minutes) for minutes in (10, 50, 80, 120, 130, 200)]

    reopened = await _walk(
        admin,
        incident_id,
        ("ACKNOWLEDGED", at[0]),
        ("MITIGATED", at[1]),
        ("RESOLVED", at[2]),
        ("ACKNOWLEDGED", at[3]),
    )
    history = await admin.data(HISTORY, {"id": incident_id})
    closed = await _walk_from(admin, incident_id, 5, ("MITIGATED", at[4]), ("RESOLVED", at[5]))

    assert (reopened["status"], reopened["acknowledgedAt"]) == ("ACKNOWLEDGED", _iso(at[0]))
    assert (reopened["mitigatedAt"], reopened["resolvedAt"]) == (None, None)
    assert reopened["restoreTimeSeconds"] is None
    changes = history["node"]["history"]["edges"][0]["node"]["changes"]
    assert {"field": "mitigatedAt", "from": _iso(at[1]), "to": None} in _timestamps(changes)
    assert closed["mitigatedAt"] == _iso(at[4])
    assert closed["restoreTimeSeconds"] == 130 * 60  # the final mitigation counts
    assert [row["toStatus"] for row in closed["statusHistory"]] == [
        "DETECTED",
        "ACKNOWLEDGED",
        "MITIGATED",
        "RESOLVED",
        "ACKNOWLEDGED",
        "MITIGATED",
        "RESOLVED",
    ]


def _timestamps(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History prints time stamps as PostgreSQL's JSON does; read them back as ISO 8601."""
    read = []
    for change in changes:
        value = change["from"]
        if isinstance(value, str) and value[:2] == "20":
            value = _iso(datetime.fromisoformat(value))
        read.append({**change, "from": value})
    return read


async def _walk_from(
    caller: Caller, incident_id: str, version: int, *moves: tuple[str, datetime]
) -> dict[str, Any]:
    incident: dict[str, Any] = {}
    for offset, (to, at) in enumerate(moves):
        body = await caller.data(TRANSITION, _move(incident_id, version + offset, to, at=_iso(at)))
        assert body["transitionIncident"]["userErrors"] == []
        incident = body["transitionIncident"]["incident"]
    return incident


async def test_back_filled_times_keep_their_order(desk: Desk, session: AsyncSession) -> None:
    checkout = await create_service(session)
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    incident = await create_incident(session, service_ids=[checkout.id], detected_at=t0)
    incident_id = global_id("Incident", incident.id)
    monitoring = desk.machine()

    early = await monitoring.data(
        TRANSITION, _move(incident_id, 1, "ACKNOWLEDGED", at=_iso(t0 - timedelta(minutes=1)))
    )
    future = await monitoring.data(
        TRANSITION, _move(incident_id, 1, "ACKNOWLEDGED", at=_iso(utcnow() + timedelta(hours=1)))
    )

    (error,) = early["transitionIncident"]["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID", ["at"])
    assert error["message"] == (
        f"at is before the incident's last move ({_iso(t0)}); back-filled times must keep"
        " their order"
    )
    assert future["transitionIncident"]["userErrors"] == [
        {"field": ["at"], "message": "at is in the future", "code": "INVALID"}
    ]


async def test_a_move_off_the_life_cycle_names_the_allowed_next_states(
    desk: Desk, session: AsyncSession
) -> None:
    checkout = await create_service(session)
    incident = await create_incident(session, service_ids=[checkout.id])
    agent = await desk.person(session, "support")

    body = await agent.data(TRANSITION, _move(global_id("Incident", incident.id), 1, "RESOLVED"))

    assert body["transitionIncident"] == {
        "incident": None,
        "userErrors": [
            {
                "field": ["to"],
                "message": "a DETECTED incident cannot become RESOLVED; allowed next: ACKNOWLEDGED",
                "code": "INVALID_TRANSITION",
            }
        ],
    }


async def test_only_responders_move_an_incident(desk: Desk, session: AsyncSession) -> None:
    team = await create_team(session)
    checkout = await create_service(session, owner_team_id=team.id)
    outsider = await desk.person(session, "contributors")
    owner = await desk.person(session, teams=[team.id])
    first = await create_incident(session, service_ids=[checkout.id])

    refused = await outsider.gql(
        TRANSITION, _move(global_id("Incident", first.id), 1, "ACKNOWLEDGED")
    )
    moved = await owner.data(TRANSITION, _move(global_id("Incident", first.id), 1, "ACKNOWLEDGED"))

    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert moved["transitionIncident"]["incident"]["status"] == "ACKNOWLEDGED"


async def test_cost_is_people_hours_at_the_configured_rate(
    issuer: TestIssuer,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
) -> None:
    checkout = await create_service(session)
    incident = await create_incident(session, service_ids=[checkout.id])
    commander = await create_person(session, display_name="Casey Commander")
    settings = desk_settings(issuer, incident_hourly_rate=120, currency="USD")
    async with desk_client(issuer, engine, sessionmaker, settings) as desk:
        agent = await desk.person(session, "support")

        body = await agent.data(
            UPDATE,
            {
                "input": {
                    "id": global_id("Incident", incident.id),
                    "version": 1,
                    "peopleHours": 12.5,
                    "commanderId": global_id("Person", commander.id),
                }
            },
        )

    assert body["updateIncident"] == {
        "incident": {
            "peopleHours": 12.5,
            "cost": {"amount": 1500.0, "currency": "USD"},
            "commander": {"displayName": "Casey Commander"},
            "services": [{"slug": checkout.slug}],
        },
        "userErrors": [],
    }


async def test_the_default_rate_is_a_hundred_euros(desk: Desk, session: AsyncSession) -> None:
    checkout = await create_service(session)
    incident = await create_incident(
        session, service_ids=[checkout.id], people_hours=3.0, severity=Severity.SEV1
    )
    agent = await desk.person(session, "support")

    body = await agent.data(
        "query($id: ID!) { node(id: $id) { ... on Incident { cost { amount currency } } } }",
        {"id": global_id("Incident", incident.id)},
    )

    assert body["node"] == {"cost": {"amount": 300.0, "currency": "EUR"}}


async def test_negative_people_hours_are_refused(desk: Desk, session: AsyncSession) -> None:
    checkout = await create_service(session)
    incident = await create_incident(session, service_ids=[checkout.id])
    agent = await desk.person(session, "support")

    body = await agent.data(
        UPDATE,
        {"input": {"id": global_id("Incident", incident.id), "version": 1, "peopleHours": -1}},
    )

    assert body["updateIncident"]["userErrors"] == [
        {"field": ["peopleHours"], "message": "peopleHours must not be negative", "code": "INVALID"}
    ]
