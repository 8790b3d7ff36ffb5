"""Objectives over GraphQL: trend, benchmark, current window and series for charts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from service_levels.models import Comparator, Metric, Objective, Sla, WindowKind
from tests.builders.catalog import create_service
from tests.builders.work import incident_with_moves
from tests.graphql import data, gql
from work.incidents.models import IncidentStatus, Severity

QUERY = """
query Objective($slug: String!, $from: DateTime!, $to: DateTime!, $bucket: SeriesBucket!) {
  service(slug: $slug) {
    slas {
      objectives {
        currentValue status trend improvementOverBenchmark samples
        currentWindow { start end }
        series(from: $from, to: $to, bucket: $bucket) { start end value status }
      }
    }
  }
}
"""


async def _mttr_objective(session: AsyncSession, service_id: uuid.UUID, **values: Any) -> None:
    sla = Sla(service_id=service_id, name="Gold")
    session.add(sla)
    await session.flush()
    session.add(
        Objective(sla_id=sla.id, metric=Metric.MTTR, comparator=Comparator.AT_MOST, **values)
    )
    await session.flush()


async def test_an_objective_answers_its_series_trend_and_benchmark(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    now = utcnow().replace(microsecond=0)
    for days_ago, hours in ((2, 1), (9, 5)):
        start = now - timedelta(days=days_ago)
        await incident_with_moves(
            session,
            [
                (start, IncidentStatus.DETECTED),
                (start + timedelta(hours=hours), IncidentStatus.MITIGATED),
            ],
            service_ids=[service.id],
            severity=Severity.SEV2,
        )
    await _mttr_objective(
        session,
        service.id,
        target=4 * 3600,
        benchmark_value=2 * 3600,
        window_kind=WindowKind.ROLLING_DAYS,
        window_days=7,
    )
    variables = {
        "slug": service.slug,
        "from": (now - timedelta(days=14)).isoformat(),
        "to": now.isoformat(),
        "bucket": "WEEK",
    }

    found = await data(client, QUERY, variables)

    objective = found["service"]["slas"][0]["objectives"][0]
    assert objective["currentValue"] == pytest.approx(3600)
    assert objective["status"] == "MET"
    assert objective["samples"] == 1
    assert objective["trend"] == pytest.approx(4 * 3600)  # five hours the week before
    assert objective["improvementOverBenchmark"] == pytest.approx(3600)
    assert objective["currentWindow"]["end"] is not None
    series = objective["series"]
    assert 2 <= len(series) <= 3
    assert sorted(point["value"] for point in series if point["value"] is not None) == [
        pytest.approx(3600),
        pytest.approx(5 * 3600),
    ]
    assert "BREACHED" in {point["status"] for point in series}


async def test_a_series_refuses_a_backward_or_too_fine_span(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    await _mttr_objective(session, service.id, target=3600, window_kind=WindowKind.CALENDAR_MONTH)
    now = utcnow()
    cases = [
        (now, now - timedelta(days=1), "DAY", "to must be after from"),
        (now - timedelta(days=3 * 365), now, "DAY", "at most 400 points"),
    ]
    for start, end, bucket, message in cases:
        variables = {
            "slug": service.slug,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "bucket": bucket,
        }
        body = await gql(client, QUERY, variables)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert message in body["errors"][0]["message"]
        # Only the series is null: the objective still answers.
        objective = body["data"]["service"]["slas"][0]["objectives"][0]
        assert objective["series"] is None
        assert objective["status"] == "NO_DATA"
