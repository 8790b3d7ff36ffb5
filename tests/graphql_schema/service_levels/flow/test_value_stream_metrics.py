"""valueStreamMetrics: flow metrics per value stream on a fixed dataset, against figures worked
out by hand; kpiSummary's time to market per stage; bad windows and scopes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.history import RecordVersion
from graphql_schema.node import global_id
from identity.models import BusinessUnit, Team
from tests.builders.catalog import create_ownership_role, create_service
from tests.builders.identity import create_business_unit, create_person, create_team
from tests.builders.work import (
    create_incident,
    create_item,
    incident_with_moves,
    request_with_moves,
)
from tests.conftest import StatementCounter
from tests.graphql import data, gql
from work.backlog.models import BacklogItem, BacklogItemStatus
from work.incidents.models import Incident, IncidentStatus
from work.requests.models import RequestStatus, ServiceRequest

METRICS = """
query Flow($scope: KpiScope!, $scopeId: ID, $window: FlowWindowInput!, $first: Int! = 10) {
  valueStreamMetrics(scope: $scope, scopeId: $scopeId, window: $window) {
    stream throughput wip leadTimeP50Seconds leadTimeP85Seconds flowEfficiency agingCount
    window { start end }
    aging(first: $first) { id title status startedAt ageSeconds }
  }
}
"""
TIME_TO_MARKET = """
query Summary($scope: KpiScope!, $scopeId: ID, $productOwnerId: ID) {
  kpiSummary(
    scope: $scope, scopeId: $scopeId, productOwnerId: $productOwnerId,
    window: {kind: ROLLING_DAYS, days: 30}
  ) {
    timeToMarketByStage { stream seconds delivered }
  }
}
"""
HOUR = 3600.0
DAY = 24 * HOUR
# March 2025: long before anything else in the test database was made.
START = datetime(2025, 3, 1, tzinfo=UTC)
END = datetime(2025, 4, 1, tzinfo=UTC)
MARCH = {"from": START.isoformat(), "to": END.isoformat()}

R = RequestStatus
I = IncidentStatus  # noqa: E741
B = BacklogItemStatus


def _moves(
    start: datetime, *steps: tuple[float, Any], days: float = 0
) -> list[tuple[datetime, Any]]:
    """Moves at these hours after `start` + `days`."""
    base = start + timedelta(days=days)
    return [(base + timedelta(hours=hours), status) for hours, status in steps]


async def _item_with_moves(
    session: AsyncSession, team: Team, moves: Sequence[tuple[datetime, B]], **overrides: Any
) -> BacklogItem:
    """A backlog item that made these moves (the first is its creation), with the history the
    trigger would have written at those moments."""
    await session.execute(text("SELECT set_config('catalog.importing', 'on', true)"))
    item = await create_item(
        session, team_id=team.id, status=moves[-1][1], created_at=moves[0][0], **overrides
    )
    await session.execute(text("SELECT set_config('catalog.importing', '', true)"))
    before: B | None = None
    for version, (at, status) in enumerate(moves, start=1):
        changes = [{"field": "status", "from": before, "to": status.value}]
        if before is None:
            changes.append({"field": "title", "from": None, "to": item.title})
        session.add(
            RecordVersion(
                table_name="backlog_item",
                record_id=item.id,
                version=version,
                action="CREATE" if before is None else "UPDATE",
                at=at,
                changes=changes,
            )
        )
        before = status
    # A change of something else is no move.
    session.add(
        RecordVersion(
            table_name="backlog_item",
            record_id=item.id,
            version=len(moves) + 1,
            action="UPDATE",
            at=moves[0][0] + timedelta(minutes=30),
            changes=[{"field": "rank", "from": 1.0, "to": 2.0}],
        )
    )
    await session.flush()
    return item


@dataclass
class Dataset:
    """Team A (service a1) and team B (service b1) in one business unit; team C (service c1)
    in another."""

    unit: BusinessUnit
    team_a: Team
    a1: Service
    requests: dict[str, ServiceRequest]
    incidents: dict[str, Incident]
    items: dict[str, BacklogItem]


async def _requests(
    session: AsyncSession, a1: Service, b1: Service, c1: Service
) -> dict[str, ServiceRequest]:
    async def made(service: Service, days: float, *steps: tuple[float, R]) -> ServiceRequest:
        moves = _moves(START, *steps, days=days)
        return await request_with_moves(session, moves, service_id=service.id)

    return {
        # Lead 10 h: waiting 2 + 2, working 6.
        "r1": await made(a1, 1, (0, R.NEW), (2, R.TRIAGED), (4, R.IN_PROGRESS), (10, R.FULFILLED)),
        # Lead 20 h: working 2 + 6, waiting on the requester 10; closing changes nothing.
        "r2": await made(
            b1,
            2,
            (0, R.NEW),
            (1, R.TRIAGED),
            (2, R.IN_PROGRESS),
            (4, R.WAITING_ON_REQUESTER),
            (14, R.IN_PROGRESS),
            (20, R.FULFILLED),
            (30, R.CLOSED),
        ),
        # Lead 40 h: working 38.
        "r3": await made(c1, 3, (0, R.NEW), (1, R.TRIAGED), (2, R.IN_PROGRESS), (40, R.FULFILLED)),
        # Reopened: lead 30 h to the second fulfilment; working 3 + 5, fulfilled 20 in between.
        "r4": await made(
            a1,
            4,
            (0, R.NEW),
            (1, R.TRIAGED),
            (2, R.IN_PROGRESS),
            (5, R.FULFILLED),
            (25, R.IN_PROGRESS),
            (30, R.FULFILLED),
        ),
        # Fulfilled before the window: neither delivered in it nor in progress.
        "r5": await made(b1, -10, (0, R.NEW), (1, R.TRIAGED), (2, R.IN_PROGRESS), (3, R.FULFILLED)),
        # In progress at the end: 26 days old.
        "r6": await made(a1, 5, (0, R.NEW), (1, R.TRIAGED), (2, R.IN_PROGRESS)),
        # New at the end: one day old, younger than the 85th percentile.
        "r7": await made(c1, 30, (0, R.NEW)),
        # Rejected: left the flow undelivered.
        "r8": await made(a1, 6, (0, R.NEW), (1, R.REJECTED)),
        # Fulfilled only after the window: in progress at its end, 11 days old.
        "r9": await made(
            b1, 20, (0, R.NEW), (1, R.TRIAGED), (2, R.IN_PROGRESS), (20 * 24, R.FULFILLED)
        ),
        # Filed after the window.
        "r10": await made(a1, 35, (0, R.NEW)),
    }


async def _incidents(
    session: AsyncSession, a1: Service, b1: Service, c1: Service
) -> dict[str, Incident]:
    async def made(services: list[Service], days: float, *steps: tuple[float, I]) -> Incident:
        moves = _moves(START, *steps, days=days)
        return await incident_with_moves(session, moves, service_ids=[s.id for s in services])

    return {
        # Lead 5 h: detected 1 (waiting), then 4 of work.
        "i1": await made(
            [a1], 1, (0, I.DETECTED), (1, I.ACKNOWLEDGED), (3, I.MITIGATED), (5, I.RESOLVED)
        ),
        # On two services, counted once. Lead 10 h: detected 2, then 8 of work.
        "i2": await made(
            [a1, c1],
            2,
            (0, I.DETECTED),
            (2, I.ACKNOWLEDGED),
            (4, I.MITIGATED),
            (10, I.RESOLVED),
            (20, I.CLOSED),
        ),
        # Acknowledged at the end: 28 days old.
        "i3": await made([c1], 3, (0, I.DETECTED), (3, I.ACKNOWLEDGED)),
        # Resolved, then reopened: in progress at the end, 27 days old.
        "i4": await made(
            [b1],
            4,
            (0, I.DETECTED),
            (1, I.ACKNOWLEDGED),
            (2, I.MITIGATED),
            (3, I.RESOLVED),
            (4, I.ACKNOWLEDGED),
        ),
    }


async def _items(
    session: AsyncSession, teams: tuple[Team, Team, Team], a1: Service, c1: Service
) -> dict[str, BacklogItem]:
    team_a, team_b, team_c = teams

    async def made(team: Team, days: float, *steps: tuple[float, B], **kw: Any) -> BacklogItem:
        return await _item_with_moves(session, team, _moves(START, *steps, days=days), **kw)

    return {
        # Lead 120 h: in a sprint 48, queued and waiting for the release 72.
        "b1": await made(
            team_a,
            1,
            (0, B.NEW),
            (24, B.READY),
            (48, B.IN_SPRINT),
            (96, B.DONE),
            (120, B.RELEASED),
            service_id=a1.id,
        ),
        # No service, on team B's backlog. Lead 100 h: sprint 20 and design review 20.
        "b2": await made(
            team_b,
            2,
            (0, B.NEW),
            (10, B.READY),
            (20, B.IN_SPRINT),
            (40, B.IN_DESIGN_REVIEW),
            (60, B.DONE),
            (100, B.RELEASED),
        ),
        # Done, waiting for its release at the end: 28 days old.
        "b3": await made(
            team_c,
            3,
            (0, B.NEW),
            (10, B.READY),
            (20, B.IN_SPRINT),
            (50, B.DONE),
            service_id=c1.id,
        ),
        # Declined.
        "b4": await made(team_a, 5, (0, B.NEW), (1, B.DECLINED)),
    }


async def _dataset(session: AsyncSession) -> Dataset:
    unit = await create_business_unit(session)
    team_a = await create_team(session, business_unit_id=unit.id)
    team_b = await create_team(session, business_unit_id=unit.id)
    team_c = await create_team(session)
    a1 = await create_service(session, owner_team_id=team_a.id)
    b1 = await create_service(session, owner_team_id=team_b.id)
    c1 = await create_service(session, owner_team_id=team_c.id)
    return Dataset(
        unit=unit,
        team_a=team_a,
        a1=a1,
        requests=await _requests(session, a1, b1, c1),
        incidents=await _incidents(session, a1, b1, c1),
        items=await _items(session, (team_a, team_b, team_c), a1, c1),
    )


def _aging(type_name: str, work: Any, started: datetime, status: str) -> dict[str, Any]:
    return {
        "id": global_id(type_name, work.id),
        "title": work.title,
        "status": status,
        "startedAt": started.isoformat(),
        "ageSeconds": pytest.approx((END - started).total_seconds()),
    }


def _stage(
    stream: str,
    *,
    throughput: int,
    wip: int,
    p50: float | None,
    p85: float | None,
    efficiency: float | None,
    aging: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "stream": stream,
        "throughput": throughput,
        "wip": wip,
        "leadTimeP50Seconds": None if p50 is None else pytest.approx(p50),
        "leadTimeP85Seconds": None if p85 is None else pytest.approx(p85),
        "flowEfficiency": None if efficiency is None else pytest.approx(efficiency),
        "agingCount": len(aging),
        "window": {"start": START.isoformat(), "end": END.isoformat()},
        "aging": aging,
    }


async def _metrics(
    client: httpx.AsyncClient, scope: str, scope_id: str | None = None, **extra: Any
) -> Any:
    variables = {"scope": scope, "scopeId": scope_id, "window": MARCH, **extra}
    return (await data(client, METRICS, variables))["valueStreamMetrics"]


async def test_the_organisations_flow_matches_the_hand_computed_reference(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    found = await _dataset(session)
    requests, incidents, items = found.requests, found.incidents, found.items

    flows = await _metrics(client, "ORGANISATION")

    assert flows == [
        # Lead times 10, 20, 30, 40 h: median 25, 85th percentile 30 + 0.55 * 10 = 35.5.
        # Working 6 + 8 + 38 + 8 = 60 of 100 hours.
        _stage(
            "REQUEST_TO_FULFIL",
            throughput=4,
            wip=3,
            p50=25 * HOUR,
            p85=35.5 * HOUR,
            efficiency=0.6,
            aging=[
                _aging("ServiceRequest", requests["r6"], START + timedelta(days=5), "IN_PROGRESS"),
                _aging("ServiceRequest", requests["r9"], START + timedelta(days=20), "IN_PROGRESS"),
            ],
        ),
        # Lead times 5 and 10 h: median 7.5, 85th percentile 5 + 0.85 * 5 = 9.25.
        # Working 4 + 8 = 12 of 15 hours.
        _stage(
            "DETECT_TO_CORRECT",
            throughput=2,
            wip=2,
            p50=7.5 * HOUR,
            p85=9.25 * HOUR,
            efficiency=0.8,
            aging=[
                _aging("Incident", incidents["i3"], START + timedelta(days=3), "ACKNOWLEDGED"),
                _aging("Incident", incidents["i4"], START + timedelta(days=4), "ACKNOWLEDGED"),
            ],
        ),
        # Lead times 100 and 120 h: median 110, 85th percentile 100 + 0.85 * 20 = 117.
        # Working 48 + 40 = 88 of 220 hours.
        _stage(
            "REQUIREMENT_TO_DEPLOY",
            throughput=2,
            wip=1,
            p50=110 * HOUR,
            p85=117 * HOUR,
            efficiency=0.4,
            aging=[_aging("BacklogItem", items["b3"], START + timedelta(days=3), "DONE")],
        ),
    ]


async def test_a_teams_flow_counts_its_services_work_and_its_backlog(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    found = await _dataset(session)

    flows = await _metrics(client, "TEAM", global_id("Team", found.team_a.id))

    assert flows == [
        # r1 and r4: lead 10 and 30 h; working 6 + 8 of 40 hours; r6 in progress.
        _stage(
            "REQUEST_TO_FULFIL",
            throughput=2,
            wip=1,
            p50=20 * HOUR,
            p85=27 * HOUR,
            efficiency=0.35,
            aging=[
                _aging(
                    "ServiceRequest", found.requests["r6"], START + timedelta(days=5), "IN_PROGRESS"
                )
            ],
        ),
        # i1 and i2 (which also hit team C's service).
        _stage(
            "DETECT_TO_CORRECT",
            throughput=2,
            wip=0,
            p50=7.5 * HOUR,
            p85=9.25 * HOUR,
            efficiency=0.8,
            aging=[],
        ),
        # b1 only (b4 was declined).
        _stage(
            "REQUIREMENT_TO_DEPLOY",
            throughput=1,
            wip=0,
            p50=120 * HOUR,
            p85=120 * HOUR,
            efficiency=0.4,
            aging=[],
        ),
    ]


async def test_a_business_units_flow_spans_its_teams(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    found = await _dataset(session)

    flows = await _metrics(client, "BUSINESS_UNIT", global_id("BusinessUnit", found.unit.id))

    counted = [(flow["stream"], flow["throughput"], flow["wip"]) for flow in flows]
    assert counted == [
        ("REQUEST_TO_FULFIL", 3, 2),  # r1, r2, r4 delivered; r6, r9 in progress
        ("DETECT_TO_CORRECT", 2, 1),  # i1, i2 resolved; i4 reopened
        ("REQUIREMENT_TO_DEPLOY", 2, 0),  # b1, b2 released
    ]
    assert flows[0]["leadTimeP50Seconds"] == pytest.approx(20 * HOUR)
    assert flows[2]["flowEfficiency"] == pytest.approx(0.4)


async def test_a_window_without_deliveries_has_no_lead_time_and_ages_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    found = await _dataset(session)
    window = {"from": "2025-03-01T00:00:00+00:00", "to": "2025-03-02T06:00:00+00:00"}

    flows = await _metrics(client, "SERVICE", global_id("Service", found.a1.id), window=window)

    requests = flows[0]
    assert requests["stream"] == "REQUEST_TO_FULFIL"
    assert requests["throughput"] == 0
    assert requests["wip"] == 1  # r1, in progress since 04:00
    assert requests["leadTimeP50Seconds"] is None
    assert requests["flowEfficiency"] is None
    assert requests["aging"] == []


async def test_aging_lists_at_most_first_oldest_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    found = await _dataset(session)

    flows = await _metrics(client, "ORGANISATION", first=1)

    assert flows[0]["agingCount"] == 2
    assert [work["id"] for work in flows[0]["aging"]] == [
        global_id("ServiceRequest", found.requests["r6"].id)
    ]
    for first, message in [
        (101, "a page holds at most 100 items; 101 were asked for"),
        (-1, "aging: first must be between 0 and 100"),
    ]:
        variables = {"scope": "ORGANISATION", "window": MARCH, "first": first}
        body = await gql(client, METRICS, variables)
        assert body["errors"][0]["message"] == message


async def _fulfilled_in(session: AsyncSession, service: Service, hours: float) -> None:
    filed = datetime.now(UTC) - timedelta(days=3)
    steps = ((0, R.NEW), (1, R.TRIAGED), (2, R.IN_PROGRESS), (hours, R.FULFILLED))
    await request_with_moves(session, _moves(filed, *steps), service_id=service.id)


async def test_kpi_summary_gives_time_to_market_per_stage(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    for hours in (3, 5, 10):
        await _fulfilled_in(session, await create_service(session, owner_team_id=team.id), hours)
    variables = {"scope": "TEAM", "scopeId": global_id("Team", team.id)}

    summary = (await data(client, TIME_TO_MARKET, variables))["kpiSummary"]

    assert summary["timeToMarketByStage"] == [
        {"stream": "REQUEST_TO_FULFIL", "seconds": pytest.approx(5 * HOUR), "delivered": 3},
        {"stream": "DETECT_TO_CORRECT", "seconds": None, "delivered": 0},
        {"stream": "REQUIREMENT_TO_DEPLOY", "seconds": None, "delivered": 0},
    ]


async def test_the_product_owners_time_to_market_counts_only_their_services(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    owner = await create_person(session)
    owned = await create_service(session, owner_team_id=team.id)
    other = await create_service(session, owner_team_id=team.id)
    await create_ownership_role(session, service_id=owned.id, person_id=owner.id)
    await _fulfilled_in(session, owned, 4)
    await _fulfilled_in(session, other, 40)
    variables = {
        "scope": "TEAM",
        "scopeId": global_id("Team", team.id),
        "productOwnerId": global_id("Person", owner.id),
    }

    summary = (await data(client, TIME_TO_MARKET, variables))["kpiSummary"]

    assert summary["timeToMarketByStage"][0] == {
        "stream": "REQUEST_TO_FULFIL",
        "seconds": pytest.approx(4 * HOUR),
        "delivered": 1,
    }


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            {"from": "2023-01-01T00:00:00+00:00", "to": "2025-01-02T00:00:00+00:00"},
            "window: at most 731 days (two years)",
        ),
        (
            {"from": "2025-03-01T00:00:00+00:00", "to": "2025-03-01T00:00:00+00:00"},
            "window: to must be after from",
        ),
        ({"from": "2025-03-01T00:00:00"}, "window: from and to need a UTC offset"),
    ],
)
async def test_bad_windows_are_refused_clearly(
    client: httpx.AsyncClient, window: dict[str, str], message: str
) -> None:
    body = await gql(client, METRICS, {"scope": "ORGANISATION", "window": window})

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == message


async def test_unknown_or_wrong_scopes_are_refused_clearly(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    cases = [
        ("TEAM", global_id("Team", uuid.uuid4()), "scopeId: no team has this id"),
        ("SERVICE", global_id("Service", uuid.uuid4()), "scopeId: no service has this id"),
        ("BUSINESS_UNIT", global_id("BusinessUnit", uuid.uuid4()), "no business unit"),
        ("TEAM", None, "scopeId: a Team id is required for TEAM"),
        ("ORGANISATION", global_id("Team", team.id), "scopeId: the organisation takes no id"),
        ("TEAM", global_id("Service", team.id), "scopeId"),
        ("TEAM", "not-an-id", "scopeId"),
    ]
    for scope, scope_id, message in cases:
        body = await gql(client, METRICS, {"scope": scope, "scopeId": scope_id, "window": MARCH})
        assert body["data"] is None, scope_id
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert message in body["errors"][0]["message"]


CREATE_REQUEST = """
mutation Create($input: CreateServiceRequestInput!) {
  createServiceRequest(input: $input) {
    serviceRequest { id }
    userErrors { field message code }
  }
}
"""


async def test_a_request_cannot_be_tagged_with_the_backlogs_stream(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    variables = {
        "input": {
            "serviceId": global_id("Service", service.id),
            "title": "Access to reports",
            "kind": "ACCESS",
            "valueStream": "REQUIREMENT_TO_DEPLOY",
        }
    }

    body = await data(client, CREATE_REQUEST, variables)

    assert body["createServiceRequest"] == {
        "serviceRequest": None,
        "userErrors": [
            {
                "field": ["valueStream"],
                "message": "valueStream: requests and incidents are REQUEST_TO_FULFIL or"
                " DETECT_TO_CORRECT; REQUIREMENT_TO_DEPLOY is the backlog's stream",
                "code": "INVALID",
            }
        ],
    }


CREATE_ITEM = """
mutation Create($input: CreateBacklogItemInput!) {
  createBacklogItem(input: $input) { backlogItem { id } userErrors { message } }
}
"""
TRANSITION_ITEM = """
mutation Move($input: TransitionBacklogItemInput!) {
  transitionBacklogItem(input: $input) { backlogItem { status } userErrors { message } }
}
"""


async def test_backlog_items_moved_through_the_api_are_read_from_their_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    created = await data(
        client,
        CREATE_ITEM,
        {"input": {"title": "Export to CSV", "teamId": global_id("Team", team.id)}},
    )
    item_id = created["createBacklogItem"]["backlogItem"]["id"]
    moved = await data(client, TRANSITION_ITEM, {"input": {"id": item_id, "to": "READY"}})
    assert moved["transitionBacklogItem"] == {"backlogItem": {"status": "READY"}, "userErrors": []}
    window = {"from": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}

    flows = await _metrics(client, "TEAM", global_id("Team", team.id), window=window)

    deploy = flows[2]
    assert deploy["stream"] == "REQUIREMENT_TO_DEPLOY"
    assert (deploy["throughput"], deploy["wip"], deploy["agingCount"]) == (0, 1, 0)
    assert deploy["leadTimeP50Seconds"] is None


async def test_the_metrics_cost_one_statement_per_stage_whatever_the_data(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    empty = await create_team(session)
    await _metrics(client, "TEAM", global_id("Team", empty.id))  # also signs the caller in
    count_statements.reset()
    await _metrics(client, "TEAM", global_id("Team", empty.id))
    without = count_statements.statements[:]
    found = await _dataset(session)

    count_statements.reset()
    await _metrics(client, "TEAM", global_id("Team", found.team_a.id))

    assert len(count_statements.statements) == len(without)
    assert sum("WITH works AS" in statement for statement in without) == 3


UPDATE_INCIDENT = """
mutation Update($input: UpdateIncidentInput!) {
  updateIncident(input: $input) {
    incident { valueStream }
    userErrors { field code }
  }
}
"""


async def test_an_incident_cannot_be_tagged_with_the_backlogs_stream(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    incident = await create_incident(session, service_ids=[service.id])
    variables = {
        "input": {
            "id": global_id("Incident", incident.id),
            "version": incident.version,
            "valueStream": "REQUIREMENT_TO_DEPLOY",
        }
    }

    body = await data(client, UPDATE_INCIDENT, variables)

    assert body["updateIncident"] == {
        "incident": None,
        "userErrors": [{"field": ["valueStream"], "code": "INVALID"}],
    }
