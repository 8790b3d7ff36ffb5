"""SLAs and objectives: agreed, changed, archived, reviewed; clock objectives answer status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Tier
from core.clock import utcnow
from core.ids import GlobalId
from graphql_schema.node import global_id
from service_levels.clock_stamps import restamp_requests
from service_levels.models import Sla
from tests.builders.catalog import create_service
from tests.builders.work import request_with_moves
from tests.conftest import StatementCounter
from tests.graphql import data
from work.requests.models import RequestStatus

SLA_FIELDS = """
  id name version stale
  objectives {
    metric comparator target window { kind days } scope { priority }
    currentValue status errorBudget
  }
"""
CREATE = f"""
mutation Create($input: CreateSlaInput!) {{
  createSla(input: $input) {{ sla {{ {SLA_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
UPDATE = f"""
mutation Update($input: UpdateSlaInput!) {{
  updateSla(input: $input) {{ sla {{ {SLA_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
ARCHIVE = """
mutation Archive($input: ArchiveInput!) {
  archiveSla(input: $input) { sla { archivedAt } userErrors { field message code } }
}
"""
SERVICE_SLAS = f"""
query Services($first: Int!) {{
  services(first: $first) {{ edges {{ node {{ slug slas {{ {SLA_FIELDS} }} }} }} }}
}}
"""
SLAS = """
query Slas($includeArchived: Boolean!) {
  slas(filter: { includeArchived: $includeArchived }) { totalCount edges { node { name } } }
  staleSlas { totalCount }
}
"""
ATTAINMENT = {
    "metric": "CLOCK_ATTAINMENT",
    "comparator": "AT_LEAST",
    "target": 0.5,
    "windowKind": "ROLLING_DAYS",
    "windowDays": 30,
}


def _create(service_id: Any, *objectives: dict[str, Any]) -> dict[str, Any]:
    return {
        "input": {
            "serviceId": global_id("Service", service_id),
            "name": "Gold support",
            "objectives": list(objectives),
        }
    }


async def _requests_with_one_late_response(session: AsyncSession, service_id: Any) -> None:
    """Three responses stopped in the window (24x7, TIER_1 P1: 30 min): one of them late."""
    now = utcnow()
    ids = []
    for minutes in (10, 20, 45):
        filed = now - timedelta(days=2, minutes=minutes)
        request = await request_with_moves(
            session,
            [
                (filed, RequestStatus.NEW),
                (filed + timedelta(minutes=minutes), RequestStatus.TRIAGED),
            ],
            service_id=service_id,
        )
        ids.append(request.id)
    await restamp_requests(session, ids)


async def test_a_clock_attainment_objective_answers_its_value_status_and_budget(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, tier=Tier.TIER_1)
    await _requests_with_one_late_response(session, service.id)

    created = await data(
        client,
        CREATE,
        _create(
            service.id,
            ATTAINMENT,
            {**ATTAINMENT, "target": 0.6, "scopePriority": "P1"},
            {**ATTAINMENT, "target": 0.9},
            {**ATTAINMENT, "scopePriority": "P4"},
            {
                "metric": "REQUEST_RESOLUTION_TIME",
                "comparator": "AT_MOST",
                "target": 3600,
                "windowKind": "CALENDAR_MONTH",
            },
        ),
    )

    payload = created["createSla"]
    assert payload["userErrors"] == []
    answers = [
        (item["currentValue"], item["status"], item["errorBudget"])
        for item in payload["sla"]["objectives"]
    ]
    two_thirds = 2 / 3
    assert answers[0] == (pytest.approx(two_thirds), "MET", pytest.approx(1 / 3))
    # 0.6: met, but only 1/6 of the budget left.
    assert answers[1][1] == "AT_RISK"
    assert answers[2][1] == "BREACHED"
    assert answers[2][2] == 0.0
    assert answers[3] == (None, "NO_DATA", None)
    assert answers[4] == (None, "NO_DATA", None)  # no resolution clock stopped yet


async def test_bad_objectives_are_refused_with_their_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)

    refused = await data(
        client,
        CREATE,
        _create(
            service.id,
            {**ATTAINMENT, "target": 99.5},
            {**ATTAINMENT, "windowDays": None},
            {
                "metric": "MTTR",
                "comparator": "AT_MOST",
                "target": 3600,
                "scopePriority": "P1",
                "windowKind": "CALENDAR_MONTH",
            },
        ),
    )

    assert refused["createSla"] == {
        "sla": None,
        "userErrors": [
            {
                "field": ["objectives", "0", "target"],
                "message": "a ratio target is a fraction from 0 to 1",
                "code": "INVALID",
            },
            {
                "field": ["objectives", "1", "windowDays"],
                "message": "a rolling window needs windowDays from 1 to 366",
                "code": "INVALID",
            },
            {
                "field": ["objectives", "2", "scope"],
                "message": "MTTR cannot be scoped by priority (it takes severity)",
                "code": "INVALID",
            },
        ],
    }


async def test_an_sla_is_updated_archived_and_listed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    created = await data(client, CREATE, _create(service.id, ATTAINMENT))
    sla = created["createSla"]["sla"]

    updated = await data(
        client,
        UPDATE,
        {
            "input": {
                "id": sla["id"],
                "version": sla["version"],
                "name": "Silver support",
                "objectives": [{**ATTAINMENT, "target": 0.8}],
            }
        },
    )
    assert updated["updateSla"]["userErrors"] == []
    assert updated["updateSla"]["sla"]["name"] == "Silver support"
    assert [item["target"] for item in updated["updateSla"]["sla"]["objectives"]] == [0.8]
    version = updated["updateSla"]["sla"]["version"]
    archived = await data(client, ARCHIVE, {"input": {"id": sla["id"], "version": version}})
    assert archived["archiveSla"]["sla"]["archivedAt"] is not None

    hidden = await data(client, SLAS, {"includeArchived": False})
    shown = await data(client, SLAS, {"includeArchived": True})
    assert hidden["slas"]["totalCount"] == 0
    assert [edge["node"]["name"] for edge in shown["slas"]["edges"]] == ["Silver support"]


async def test_service_slas_with_answers_cost_a_constant_number_of_statements(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    for index in range(6):
        service = await create_service(session, slug=f"svc-{index}", tier=Tier.TIER_1)
        await _requests_with_one_late_response(session, service.id)
        await data(client, CREATE, _create(service.id, ATTAINMENT, {**ATTAINMENT, "target": 0.9}))

    count_statements.reset()
    small = await data(client, SERVICE_SLAS, {"first": 1})
    at_one = count_statements.count
    count_statements.reset()
    large = await data(client, SERVICE_SLAS, {"first": 6})
    at_six = count_statements.count

    assert len(small["services"]["edges"]) == 1
    statuses = [
        objective["status"]
        for edge in large["services"]["edges"]
        for sla in edge["node"]["slas"]
        for objective in sla["objectives"]
    ]
    assert statuses == ["MET", "BREACHED"] * 6
    assert at_one == at_six, (at_one, at_six)


CONFIRM = """
mutation Confirm($input: ConfirmReviewInput!) {
  confirmReview(input: $input) { reviewed { stale ... on Sla { name } } userErrors { code } }
}
"""


async def test_an_overdue_sla_is_stale_until_its_owners_review_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    created = await data(client, CREATE, _create(service.id, ATTAINMENT))
    sla_id = created["createSla"]["sla"]["id"]
    await session.execute(
        update(Sla)
        .where(Sla.id == GlobalId.decode(sla_id).id)
        .values(created_at=utcnow() - timedelta(days=91))
    )

    before = await data(client, SLAS, {"includeArchived": False})
    confirmed = await data(client, CONFIRM, {"input": {"id": sla_id}})
    after = await data(client, SLAS, {"includeArchived": False})

    assert before["staleSlas"]["totalCount"] == 1
    assert confirmed["confirmReview"] == {
        "reviewed": {"stale": False, "name": "Gold support"},
        "userErrors": [],
    }
    assert after["staleSlas"]["totalCount"] == 0
