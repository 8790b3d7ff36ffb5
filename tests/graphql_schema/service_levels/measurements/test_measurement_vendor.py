"""A measurement recorded as vendor-attributed says so, and flagging it later is a change."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.graphql import data

RECORD = """
mutation Record($input: RecordMeasurementInput!) {
  recordMeasurement(input: $input) {
    measurement { metric value vendorAttributed }
    created updated
    userErrors { field message code }
  }
}
"""


async def test_a_cost_is_recorded_as_the_vendors_then_flagged_back(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    reading = {
        "metric": "COST",
        "serviceId": global_id("Service", service.id),
        "at": "2026-10-01T00:00:00+00:00",
        "value": 900.0,
    }

    unflagged = await data(client, RECORD, {"input": reading})
    flagged = await data(client, RECORD, {"input": {**reading, "vendorAttributed": True}})

    assert unflagged["recordMeasurement"] == {
        "measurement": {"metric": "COST", "value": 900.0, "vendorAttributed": False},
        "created": True,
        "updated": False,
        "userErrors": [],
    }
    assert flagged["recordMeasurement"] == {
        "measurement": {"metric": "COST", "value": 900.0, "vendorAttributed": True},
        "created": False,
        "updated": True,
        "userErrors": [],
    }
