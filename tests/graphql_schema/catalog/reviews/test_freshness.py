"""Services go stale when their last owner review is older than their interval."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.graphql import data

STALE = """
{ staleServices(first: 50) { totalCount edges { node { slug stale reviewDueAt } } } }
"""
CONFIRM = """
mutation Confirm($input: ConfirmReviewInput!) {
  confirmReview(input: $input) {
    reviewed { stale lastReviewedAt ... on Service { slug version } }
    userErrors { field message code }
  }
}
"""


async def test_only_overdue_services_are_stale(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = utcnow()
    await create_service(
        session, slug="overdue", review_interval_days=30, last_reviewed_at=now - timedelta(days=31)
    )
    await create_service(
        session, slug="fresh", review_interval_days=30, last_reviewed_at=now - timedelta(days=29)
    )

    result = await data(client, STALE)

    assert result["staleServices"]["totalCount"] == 1
    node = result["staleServices"]["edges"][0]["node"]
    assert node["slug"] == "overdue"
    assert node["stale"] is True


async def test_confirm_review_makes_a_service_fresh(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(
        session, slug="overdue", last_reviewed_at=utcnow() - timedelta(days=400)
    )

    confirmed = await data(client, CONFIRM, {"input": {"id": global_id("Service", service.id)}})

    payload = confirmed["confirmReview"]
    assert payload["userErrors"] == []
    assert payload["reviewed"]["slug"] == "overdue"
    assert payload["reviewed"]["stale"] is False
    assert payload["reviewed"]["version"] == 2
    after = await data(client, STALE)
    assert after["staleServices"]["totalCount"] == 0


async def test_confirm_review_of_a_record_that_is_not_reviewable_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)

    refused = await data(client, CONFIRM, {"input": {"id": global_id("Team", team.id)}})

    assert refused["confirmReview"] == {
        "reviewed": None,
        "userErrors": [
            {
                "field": ["id"],
                "message": "id does not name a reviewable record",
                "code": "NOT_FOUND",
            }
        ],
    }


async def test_confirm_review_with_a_malformed_id_is_refused(client: httpx.AsyncClient) -> None:
    refused = await data(client, CONFIRM, {"input": {"id": "not-an-id"}})

    assert refused["confirmReview"]["userErrors"][0]["code"] == "NOT_FOUND"
