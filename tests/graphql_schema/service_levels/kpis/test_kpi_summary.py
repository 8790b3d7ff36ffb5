"""kpiSummary: a team's, a business unit's and the organisation's objectives and pooled KPIs."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service, Tier
from core.clock import utcnow
from graphql_schema.node import global_id
from service_levels.models import Comparator, Metric, Objective, Sla, WindowKind
from tests.builders.catalog import create_ownership_role, create_service
from tests.builders.identity import create_business_unit, create_person, create_team
from tests.builders.work import incident_with_moves
from tests.conftest import StatementCounter
from tests.graphql import data, gql
from work.incidents.models import IncidentStatus, Severity

SUMMARY = """
query Summary($scope: KpiScope!, $scopeId: ID, $window: KpiWindowInput) {
  kpiSummary(scope: $scope, scopeId: $scopeId, window: $window) {
    scope scopeName serviceCount objectiveCount
    window { start end }
    statusCounts { met atRisk breached noData }
    metrics { metric value samples share }
    worstOffenders(first: 5) {
      status currentValue errorBudget
      objective { metric target trend }
      sla { name objectives { metric } }
      service { slug }
    }
  }
}
"""
LAST_30_DAYS = {"kind": "ROLLING_DAYS", "days": 30}
HOUR = 3600


async def _service_with_restores(
    session: AsyncSession, team_id: uuid.UUID, hours: list[int], tier: Tier = Tier.TIER_2
) -> Service:
    """A service whose SEV2 incidents took these hours to restore, a few days ago."""
    service = await create_service(session, owner_team_id=team_id, tier=tier)
    detected = utcnow() - timedelta(days=3)
    for index, taken in enumerate(hours):
        start = detected + timedelta(hours=10 * index)
        await incident_with_moves(
            session,
            [
                (start, IncidentStatus.DETECTED),
                (start + timedelta(hours=taken), IncidentStatus.MITIGATED),
            ],
            service_ids=[service.id],
            severity=Severity.SEV2,
        )
    return service


async def _sla(
    session: AsyncSession, service: Service, *objectives: tuple[Metric, Comparator, float]
) -> Sla:
    sla = Sla(service_id=service.id, name=f"{service.slug} agreement")
    session.add(sla)
    await session.flush()
    for position, (metric, comparator, target) in enumerate(objectives):
        session.add(
            Objective(
                sla_id=sla.id,
                position=position,
                metric=metric,
                comparator=comparator,
                target=target,
                window_kind=WindowKind.ROLLING_DAYS,
                window_days=30,
            )
        )
    await session.flush()
    return sla


async def _summary(client: httpx.AsyncClient, scope: str, scope_id: str | None = None) -> Any:
    variables = {"scope": scope, "scopeId": scope_id, "window": LAST_30_DAYS}
    return (await data(client, SUMMARY, variables))["kpiSummary"]


def _pooled(summary: Any, metric: str) -> Any:
    return next(item for item in summary["metrics"] if item["metric"] == metric)


async def test_a_team_summary_counts_pools_and_ranks_its_objectives(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    slow = await _service_with_restores(session, team.id, [6, 2])  # mean 4 h
    quick = await _service_with_restores(session, team.id, [1])
    await _sla(session, slow, (Metric.MTTR, Comparator.AT_MOST, 3 * HOUR))  # breached
    await _sla(
        session,
        quick,
        (Metric.MTTR, Comparator.AT_MOST, 1.05 * HOUR),  # met, within 10 %: at risk
        (Metric.MTTR, Comparator.AT_MOST, 8 * HOUR),  # met
        (Metric.SATISFACTION, Comparator.AT_LEAST, 4),  # no ratings: no data
    )
    elsewhere = await _service_with_restores(session, (await create_team(session)).id, [9])
    await _sla(session, elsewhere, (Metric.MTTR, Comparator.AT_MOST, HOUR))

    summary = await _summary(client, "TEAM", global_id("Team", team.id))

    assert summary["scopeName"] == team.name
    assert summary["serviceCount"] == 2
    assert summary["objectiveCount"] == 4
    assert summary["statusCounts"] == {"met": 1, "atRisk": 1, "breached": 1, "noData": 1}
    # Pooled MTTR is all restore time over all incidents: (6 + 2 + 1) / 3 hours.
    assert _pooled(summary, "MTTR")["value"] == pytest.approx(3 * HOUR)
    assert _pooled(summary, "MTTR")["samples"] == 3
    assert _pooled(summary, "DEFECTS_RAISED")["value"] == 0
    offenders = summary["worstOffenders"]
    assert [item["status"] for item in offenders] == ["BREACHED", "AT_RISK"]
    assert [item["service"]["slug"] for item in offenders] == [slow.slug, quick.slug]
    assert offenders[0]["currentValue"] == pytest.approx(4 * HOUR)
    assert len(offenders[1]["sla"]["objectives"]) == 3


TIED = """
query Tied($scopeId: ID) {
  kpiSummary(scope: TEAM, scopeId: $scopeId, window: { kind: ROLLING_DAYS, days: 30 }) {
    worstOffenders(first: 10) { objective { id } }
  }
}
"""


async def test_equally_bad_objectives_are_listed_in_sla_and_position_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    slas = []
    for _ in range(3):
        service = await _service_with_restores(session, team.id, [6, 2])  # mean 4 h
        same = (Metric.MTTR, Comparator.AT_MOST, 3 * HOUR)  # breached, all by as much
        slas.append(await _sla(session, service, same, same))
    objectives = (await session.scalars(select(Objective))).all()
    by_sla = sorted(objectives, key=lambda objective: (objective.sla_id, objective.position))

    summary = (await data(client, TIED, {"scopeId": global_id("Team", team.id)}))["kpiSummary"]

    assert [item["objective"]["id"] for item in summary["worstOffenders"]] == [
        global_id("Objective", objective.id) for objective in by_sla
    ]
    assert len(by_sla) == 6
    assert {objective.sla_id for objective in by_sla} == {sla.id for sla in slas}


async def test_business_unit_and_organisation_summaries_widen_the_scope(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    unit = await create_business_unit(session)
    first = await create_team(session, business_unit_id=unit.id)
    second = await create_team(session, business_unit_id=unit.id)
    a = await _service_with_restores(session, first.id, [2])
    b = await _service_with_restores(session, second.id, [4])
    outside = await _service_with_restores(session, (await create_team(session)).id, [9])

    unit_summary = await _summary(client, "BUSINESS_UNIT", global_id("BusinessUnit", unit.id))
    everything = await _summary(client, "ORGANISATION")

    assert unit_summary["serviceCount"] == 2
    assert _pooled(unit_summary, "MTTR")["value"] == pytest.approx(3 * HOUR)
    assert everything["scopeName"] == "Organisation"
    assert everything["serviceCount"] >= 3
    assert _pooled(everything, "MTTR")["samples"] >= 3
    assert {a.slug, b.slug, outside.slug}  # the three services exist in the organisation


async def test_availability_pools_by_tier_weight(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    down_a_day = await create_service(session, owner_team_id=team.id, tier=Tier.TIER_1)
    await create_service(session, owner_team_id=team.id, tier=Tier.TIER_3)
    start = utcnow() - timedelta(days=10)
    await incident_with_moves(
        session,
        [(start, IncidentStatus.DETECTED), (start + timedelta(days=3), IncidentStatus.MITIGATED)],
        service_ids=[down_a_day.id],
        severity=Severity.SEV1,
    )

    summary = await _summary(client, "TEAM", global_id("Team", team.id))

    window = summary["window"]
    assert window["start"] < window["end"]
    value = _pooled(summary, "AVAILABILITY")["value"]
    # The TIER_1 service (weight 1.0) was down 3 of the window's ~30 days; TIER_3 weighs 0.5.
    assert 0.9 * 1.0 / 1.5 + 0.5 / 1.5 - 0.01 < value < 0.9 * 1.0 / 1.5 + 0.5 / 1.5 + 0.01


async def test_bad_scopes_are_refused_clearly(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    cases = [
        ("TEAM", None, "scopeId"),
        ("ORGANISATION", global_id("Team", team.id), "takes no id"),
        ("TEAM", global_id("Service", uuid.uuid4()), "scopeId"),
        ("TEAM", global_id("Team", uuid.uuid4()), "no team"),
        ("BUSINESS_UNIT", "not-an-id", "scopeId"),
    ]
    for scope, scope_id, message in cases:
        body = await gql(client, SUMMARY, {"scope": scope, "scopeId": scope_id})
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert message in body["errors"][0]["message"]
    body = await gql(client, SUMMARY, {"scope": "ORGANISATION", "window": {"kind": "ROLLING_DAYS"}})
    assert "days" in body["errors"][0]["message"]


async def test_a_summary_costs_the_same_statements_for_any_number_of_services(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    team = await create_team(session)
    scope_id = global_id("Team", team.id)
    await _summary(client, "TEAM", scope_id)  # the first request also signs the caller in

    async def statements_with(services: int) -> int:
        for _ in range(services):
            service = await _service_with_restores(session, team.id, [1, 5])
            await _sla(
                session,
                service,
                (Metric.MTTR, Comparator.AT_MOST, HOUR),
                (Metric.AVAILABILITY, Comparator.AT_LEAST, 0.999),
            )
        count_statements.reset()
        await _summary(client, "TEAM", scope_id)
        return count_statements.count

    few = await statements_with(2)
    # At most one statement per metric shown: six services cost no more than two.
    assert await statements_with(4) <= few


ORGANISATION_SUMMARY = """
query Organisation {
  kpiSummary(scope: ORGANISATION, window: { kind: ROLLING_DAYS, days: 30 }) {
    serviceCount objectiveCount
    statusCounts { met atRisk breached noData }
    metrics { metric value samples share }
    worstOffenders(first: 10) {
      status currentValue errorBudget service { slug } sla { name objectives { metric } }
    }
  }
}
"""


async def test_an_organisation_summary_takes_three_statements(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    team = await create_team(session)
    for hours in ([1, 5], [9], [2, 2, 2]):
        service = await _service_with_restores(session, team.id, hours)
        await _sla(
            session,
            service,
            (Metric.MTTR, Comparator.AT_MOST, HOUR),
            (Metric.AVAILABILITY, Comparator.AT_LEAST, 0.999),
            (Metric.SATISFACTION, Comparator.AT_LEAST, 4),
        )
    await data(client, ORGANISATION_SUMMARY)  # the first request also signs the caller in
    count_statements.reset()

    summary = (await data(client, ORGANISATION_SUMMARY))["kpiSummary"]

    assert summary["worstOffenders"]
    assert len(summary["metrics"]) == 12
    reads = [
        statement
        for statement in count_statements.statements
        if statement.lstrip().startswith(("SELECT", "WITH")) and "person.issuer" not in statement
    ]
    # The scope's services with their objectives, every metric of the objectives and of the
    # pool at once, and the offenders listed with their SLAs and services.
    assert len(reads) == 3, reads


async def test_the_product_owner_view_holds_only_the_services_they_own_today(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    owner = await create_person(session)
    owned = await _service_with_restores(session, team.id, [5])
    handed_over = await _service_with_restores(session, team.id, [5])
    await create_ownership_role(session, service_id=owned.id, person_id=owner.id)
    await create_ownership_role(
        session,
        service_id=handed_over.id,
        person_id=owner.id,
        effective_from=date(2020, 1, 1),
        effective_to=date(2021, 1, 1),
    )
    for service in (owned, handed_over):
        await _sla(session, service, (Metric.MTTR, Comparator.AT_MOST, HOUR))
    variables = {"scope": "ORGANISATION", "owner": global_id("Person", owner.id)}

    found = await data(
        client,
        """
        query Mine($scope: KpiScope!, $owner: ID) {
          kpiSummary(scope: $scope, productOwnerId: $owner) {
            serviceCount statusCounts { breached } worstOffenders { service { slug } }
          }
        }
        """,
        variables,
    )

    summary = found["kpiSummary"]
    assert summary["serviceCount"] == 1
    assert summary["statusCounts"]["breached"] == 1
    assert summary["worstOffenders"] == [{"service": {"slug": owned.slug}}]


async def test_pooled_metrics_trend_against_the_window_before_and_chart_by_bucket(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    service = await create_service(session, owner_team_id=team.id)
    now = utcnow()
    for days_ago, hours in ((40, 6), (45, 4), (3, 2)):  # the window before: 5 h; this one: 2 h
        start = now - timedelta(days=days_ago)
        await incident_with_moves(
            session,
            [
                (start, IncidentStatus.DETECTED),
                (start + timedelta(hours=hours), IncidentStatus.MITIGATED),
            ],
            service_ids=[service.id],
            severity=Severity.SEV3,
        )
    await _sla(session, service, (Metric.MTTR, Comparator.AT_MOST, HOUR))
    query = """
    query Trend($scopeId: ID, $from: DateTime!, $to: DateTime!) {
      kpiSummary(scope: TEAM, scopeId: $scopeId, window: { kind: ROLLING_DAYS, days: 30 }) {
        metrics { metric value previousValue trend statusCounts { breached met } }
        series(metric: MTTR, from: $from, to: $to, bucket: MONTH) { start end value samples }
      }
    }
    """
    variables = {
        "scopeId": global_id("Team", team.id),
        "from": (now - timedelta(days=60)).isoformat(),
        "to": now.isoformat(),
    }

    summary = (await data(client, query, variables))["kpiSummary"]

    mttr = _pooled(summary, "MTTR")
    assert mttr["value"] == pytest.approx(2 * HOUR)
    assert mttr["previousValue"] == pytest.approx(5 * HOUR)
    assert mttr["trend"] == pytest.approx(3 * HOUR)  # restored faster: better
    assert mttr["statusCounts"] == {"breached": 1, "met": 0}
    series = summary["series"]
    assert 2 <= len(series) <= 3
    assert sum(point["samples"] for point in series) == 3
    assert datetime.fromisoformat(series[0]["start"]) == now - timedelta(days=60)
    assert datetime.fromisoformat(series[-1]["end"]) == now
