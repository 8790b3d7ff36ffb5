"""A re-recorded measurement keeps its history: the value it replaced stays retrievable."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.graphql import data

RECORD = """
mutation Record($input: RecordMeasurementInput!) {
  recordMeasurement(input: $input) {
    measurement { id value version }
    created updated
    userErrors { field code }
  }
}
"""
HISTORY = """
query History($id: ID!) {
  node(id: $id) {
    ... on Measurement {
      value version
      history { nodes { version action changes { field from to } } }
    }
  }
}
"""
AT = "2026-10-01T00:00:00+00:00"


async def test_re_recording_a_value_keeps_the_old_one_in_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="crm")
    given = {"metric": "COST", "serviceId": global_id("Service", service.id), "at": AT}

    first = await data(client, RECORD, {"input": {**given, "value": 1200.0}})
    same = await data(client, RECORD, {"input": {**given, "value": 1200.0}})
    second = await data(client, RECORD, {"input": {**given, "value": 1350.5, "note": "late"}})
    measurement_id = first["recordMeasurement"]["measurement"]["id"]
    history = await data(client, HISTORY, {"id": measurement_id})

    assert first["recordMeasurement"]["measurement"]["version"] == 1
    assert same["recordMeasurement"]["measurement"]["version"] == 1
    assert second["recordMeasurement"] == {
        "measurement": {"id": measurement_id, "value": 1350.5, "version": 2},
        "created": False,
        "updated": True,
        "userErrors": [],
    }
    node = history["node"]
    assert (node["value"], node["version"]) == (1350.5, 2)
    versions = node["history"]["nodes"]
    assert [(item["version"], item["action"]) for item in versions] == [
        (2, "UPDATE"),
        (1, "CREATE"),
    ]
    changes = {item["field"]: (item["from"], item["to"]) for item in versions[0]["changes"]}
    assert changes["value"] == (1200.0, 1350.5)
    assert changes["note"] == ("", "late")
    created = {item["field"]: item["to"] for item in versions[1]["changes"]}
    assert created["value"] == 1200.0
    assert datetime.fromisoformat(created["at"]) == datetime(2026, 10, 1, tzinfo=UTC)
