"""Measurements over GraphQL: recorded idempotently, refused with field errors, paged."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services.models import Service
from core.clock import utcnow
from core.errors import DomainErrors
from graphql_schema.node import global_id
from identity.audit import AuditEvent
from identity.principal import Role, development_principal
from service_levels.measurements import Reading, record_measurement
from service_levels.models import Measurement, MeasurementSource, Metric
from tests.builders.catalog import create_service
from tests.conftest import StatementCounter
from tests.graphql import data, gql

RECORD = """
mutation Record($input: RecordMeasurementInput!) {
  recordMeasurement(input: $input) {
    measurement { metric at value source note recordedBy details service { slug } }
    created updated
    userErrors { field message code }
  }
}
"""
SERVICE_MEASUREMENTS = """
query Page($slug: String!, $metric: Metric, $from: DateTime, $to: DateTime, $after: String) {
  service(slug: $slug) {
    measurements(metric: $metric, from: $from, to: $to, first: 2, after: $after) {
      totalCount
      edges { cursor node { metric value at } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
"""
SERVICES_MEASUREMENTS = """
query Services {
  services(first: 50) {
    edges { node { slug measurements(first: 3) {
      totalCount nodes { value service { slug } }
      pageInfo { hasNextPage }
    } } }
  }
}
"""
DAY = datetime(2026, 10, 1, tzinfo=UTC)


def _input(service: Service, **overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "metric": "COST",
            "serviceId": global_id("Service", service.id),
            "at": DAY.isoformat(),
            "value": 1200.5,
            "note": "October licences",
            **overrides,
        }
    }


async def _stored(session: AsyncSession) -> list[tuple[Metric, float, str]]:
    rows = await session.execute(
        select(Measurement.metric, Measurement.value, Measurement.note).order_by(
            Measurement.metric, Measurement.at
        )
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_recording_creates_then_repeats_unchanged_then_updates(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="billing")

    created = await data(client, RECORD, _input(service, details={"invoice": "INV-7"}))
    repeated = await data(client, RECORD, _input(service, details={"invoice": "INV-7"}))
    updated = await data(client, RECORD, _input(service, value=1300, note="corrected"))

    measurement = {
        "metric": "COST",
        "at": "2026-10-01T00:00:00+00:00",
        "value": 1200.5,
        "source": "MANUAL",
        "note": "October licences",
        "recordedBy": created["recordMeasurement"]["measurement"]["recordedBy"],
        "details": {"invoice": "INV-7"},
        "service": {"slug": "billing"},
    }
    assert created["recordMeasurement"] == {
        "measurement": measurement,
        "created": True,
        "updated": False,
        "userErrors": [],
    }
    assert repeated["recordMeasurement"] == {
        "measurement": measurement,
        "created": False,
        "updated": False,
        "userErrors": [],
    }
    assert updated["recordMeasurement"] == {
        "measurement": {**measurement, "value": 1300.0, "note": "corrected", "details": {}},
        "created": False,
        "updated": True,
        "userErrors": [],
    }
    assert measurement["recordedBy"].startswith("person:")  # the development identity
    assert await _stored(session) == [(Metric.COST, 1300.0, "corrected")]
    audited = await session.scalars(
        select(AuditEvent.target_type).where(AuditEvent.action == "recordMeasurement")
    )
    assert list(audited) == ["Measurement"] * 3


async def test_the_same_moment_in_another_zone_is_the_same_measurement(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)

    await data(client, RECORD, _input(service, metric="ADOPTION", value=0.5))
    again = await data(
        client,
        RECORD,
        _input(service, metric="ADOPTION", value=0.5, at="2026-10-01T02:00:00+02:00"),
    )

    assert again["recordMeasurement"]["created"] is False
    assert again["recordMeasurement"]["updated"] is False
    assert await session.scalar(select(func.count()).select_from(Measurement)) == 1


async def test_bad_readings_are_refused_with_their_fields_and_nothing_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    archived = await create_service(session, archived_at=utcnow())
    future = (utcnow() + timedelta(hours=1)).isoformat()
    cases = [
        (
            _input(service, serviceId=global_id("Service", uuid.uuid4())),
            [(["serviceId"], "NOT_FOUND")],
        ),
        (_input(archived), [(["serviceId"], "NOT_FOUND")]),
        (_input(service, serviceId=global_id("Team", service.id)), [(["serviceId"], "NOT_FOUND")]),
        (_input(service, at=future), [(["at"], "INVALID")]),
        (_input(service, at="2026-10-01T00:00:00"), [(["at"], "INVALID")]),
        (_input(service, metric="ADOPTION", value=1.2), [(["value"], "INVALID")]),
        (_input(service, metric="COST", value=-1), [(["value"], "INVALID")]),
        (_input(service, metric="EFFICIENCY_GAIN", value=-0.5), [(["value"], "INVALID")]),
        (_input(service, metric="MTTR", value=60), [(["metric"], "INVALID")]),
        (_input(service, note="x" * 2001), [(["note"], "TOO_LONG")]),
        (_input(service, details=[1, 2]), [(["details"], "INVALID")]),
        (
            _input(service, metric="AVAILABILITY", value=2, at=future),
            [(["metric"], "INVALID"), (["at"], "INVALID")],
        ),
    ]

    for given, expected in cases:
        body = await data(client, RECORD, given)
        payload = body["recordMeasurement"]
        assert payload["measurement"] is None, given
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == expected, given

    assert await _stored(session) == []


async def test_the_mttr_refusal_names_the_recordable_metrics(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)

    body = await data(client, RECORD, _input(service, metric="MTTR", value=60))

    assert body["recordMeasurement"]["userErrors"] == [
        {
            "field": ["metric"],
            "message": "MTTR is computed by the catalog; only ADOPTION, COST, CUSTOM,"
            " EFFICIENCY_GAIN are recorded",
            "code": "INVALID",
        }
    ]


async def test_a_non_finite_value_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)

    # JSON itself has no NaN; a client that sends one meets the Float scalar.
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": RECORD, "variables": _input(service, value=math.nan)}),
        headers={"Content-Type": "application/json"},
    )
    # The domain refuses it too, for callers that are not GraphQL (imports, jobs).
    try:
        await record_measurement(
            session,
            principal=development_principal(frozenset({Role.ADMIN})),
            service_id=service.id,
            given=Reading(Metric.CUSTOM, DAY, math.inf),
        )
    except DomainErrors as refused:
        errors = [(error.field, error.message) for error in refused.errors]
    else:
        raise AssertionError("an infinite value was recorded")

    assert response.status_code == 200
    assert response.json()["data"] is None
    assert "Float cannot represent" in response.json()["errors"][0]["message"]
    assert errors == [(["value"], "value must be a finite number")]
    assert await _stored(session) == []


async def _series(session: AsyncSession, service: Service, count: int) -> None:
    for day in range(count):
        session.add(
            Measurement(
                metric=Metric.CUSTOM,
                service_id=service.id,
                at=DAY + timedelta(days=day),
                value=float(day),
                source=MeasurementSource.IMPORT,
            )
        )
    session.add(Measurement(metric=Metric.COST, service_id=service.id, at=DAY, value=99.0))
    await session.flush()


async def test_a_service_pages_its_measurements_oldest_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="portal")
    await _series(session, service, 5)
    variables: dict[str, Any] = {"slug": "portal", "metric": "CUSTOM"}

    first = (await data(client, SERVICE_MEASUREMENTS, variables))["service"]["measurements"]
    second = (
        await data(
            client, SERVICE_MEASUREMENTS, {**variables, "after": first["pageInfo"]["endCursor"]}
        )
    )["service"]["measurements"]
    ranged = (
        await data(
            client,
            SERVICE_MEASUREMENTS,
            {
                **variables,
                "from": (DAY + timedelta(days=1)).isoformat(),
                "to": (DAY + timedelta(days=3)).isoformat(),
            },
        )
    )["service"]["measurements"]

    assert [e["node"]["value"] for e in first["edges"]] == [0.0, 1.0]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert [e["node"]["value"] for e in second["edges"]] == [2.0, 3.0]
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert [e["node"]["value"] for e in ranged["edges"]] == [1.0, 2.0]
    assert ranged["totalCount"] == 2
    assert ranged["pageInfo"]["hasNextPage"] is False


async def test_a_cursor_is_refused_with_another_metric(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="portal")
    await _series(session, service, 3)
    page = await data(client, SERVICE_MEASUREMENTS, {"slug": "portal", "metric": "CUSTOM"})
    cursor = page["service"]["measurements"]["pageInfo"]["endCursor"]

    body = await gql(
        client, SERVICE_MEASUREMENTS, {"slug": "portal", "metric": "COST", "after": cursor}
    )

    assert body["data"]["service"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_measurements_of_many_services_cost_the_same_statements(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    service = await create_service(session)
    await _series(session, service, 4)
    await data(client, SERVICES_MEASUREMENTS)  # warm the caches
    count_statements.reset()
    await data(client, SERVICES_MEASUREMENTS)
    few = count_statements.count

    for _ in range(4):
        await _series(session, await create_service(session), 5)
    count_statements.reset()
    body = await data(client, SERVICES_MEASUREMENTS)

    assert count_statements.count == few
    pages = {
        edge["node"]["slug"]: edge["node"]["measurements"] for edge in body["services"]["edges"]
    }
    assert sorted(page["totalCount"] for page in pages.values()) == [5, 6, 6, 6, 6]
    assert pages[service.slug]["totalCount"] == 5
    assert all(page["pageInfo"]["hasNextPage"] for page in pages.values())
    for edge in body["services"]["edges"]:
        slugs = {node["service"]["slug"] for node in edge["node"]["measurements"]["nodes"]}
        assert slugs == {edge["node"]["slug"]}


NODE = """
query Node($id: ID!) {
  node(id: $id) { ... on Measurement { metric value source service { slug } } }
}
"""


async def test_a_measurement_is_a_node_and_a_reading_a_minute_ahead_is_accepted(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="clocks-drift")
    ahead = (utcnow() + timedelta(minutes=1)).isoformat()

    recorded = await data(client, RECORD, _input(service, metric="CUSTOM", value=-2, at=ahead))
    stored = await session.scalar(select(Measurement.id))
    assert stored is not None
    found = await data(client, NODE, {"id": global_id("Measurement", stored)})

    assert recorded["recordMeasurement"]["userErrors"] == []
    assert found["node"] == {
        "metric": "CUSTOM",
        "value": -2.0,
        "source": "MANUAL",
        "service": {"slug": "clocks-drift"},
    }
