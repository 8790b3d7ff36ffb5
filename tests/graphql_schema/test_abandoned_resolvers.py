"""A non-null field failing while its siblings still query: the request's transaction never
ends under their statements, and nothing of the request runs on once it has answered."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.catalog import create_service
from tests.conftest import StatementCounter
from tests.graphql import gql

# worstOffenders fails at once; the pooled metrics' previousValue is still being measured.
QUERY = """
{ kpiSummary(scope: ORGANISATION) {
    metrics { previousValue }
    worstOffenders(first: -1) { status }
} }
"""


async def test_a_failing_field_does_not_end_the_transaction_under_its_siblings(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    for _ in range(3):
        await create_service(session)

    body = await gql(client, QUERY)
    count_statements.reset()
    await asyncio.sleep(0.3)

    assert count_statements.statements == []  # no resolver of the request is still querying
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert await session.scalar(text("SELECT 1")) == 1
