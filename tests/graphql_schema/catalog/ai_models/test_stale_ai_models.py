"""`staleAIModels`: models whose owner review is overdue, as `Reviewable.stale` says; a
confirmed review takes a model off the list, RETIRED models and those of archived services
are never on it (as `staleSlas` leaves archived SLAs out)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.ai_models.models import AIModelStatus
from core.clock import utcnow
from graphql_schema.access import PUBLIC_QUERIES
from graphql_schema.node import global_id
from tests.builders.ai_models import create_ai_model
from tests.builders.catalog import create_service
from tests.graphql import data

STALE = """
query Stale($first: Int, $after: String) {
  staleAIModels(first: $first, after: $after) {
    totalCount
    nodes { name stale reviewDueAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CONFIRM = """
mutation Confirm($input: ConfirmReviewInput!) {
  confirmReview(input: $input) { reviewed { stale } userErrors { code } }
}
"""


async def test_models_past_their_review_interval_are_listed_by_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = utcnow()
    long_ago = now - timedelta(days=200)
    await create_ai_model(session, name="Zeta", created_at=long_ago)
    await create_ai_model(session, name="Alpha", created_at=long_ago)
    # Reviewed 20 days ago with a 30-day interval: not due yet.
    await create_ai_model(
        session,
        name="Reviewed",
        created_at=long_ago,
        review_interval_days=30,
        last_reviewed_at=now - timedelta(days=20),
    )
    # Reviewed 40 days ago with a 30-day interval: due.
    await create_ai_model(
        session,
        name="Lapsed",
        created_at=long_ago,
        review_interval_days=30,
        last_reviewed_at=now - timedelta(days=40),
    )
    await create_ai_model(session, name="New")

    first = (await data(client, STALE, {"first": 2}))["staleAIModels"]
    rest = (await data(client, STALE, {"first": 5, "after": first["pageInfo"]["endCursor"]}))[
        "staleAIModels"
    ]

    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    names = [node["name"] for node in first["nodes"] + rest["nodes"]]
    assert names == ["Alpha", "Lapsed", "Zeta"]
    assert all(node["stale"] for node in first["nodes"] + rest["nodes"])


async def test_a_confirmed_review_takes_the_model_off_the_list(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    model = await create_ai_model(session, name="Stale", created_at=utcnow() - timedelta(days=200))
    before = (await data(client, STALE))["staleAIModels"]

    confirmed = await data(client, CONFIRM, {"input": {"id": global_id("AIModel", model.id)}})
    after = (await data(client, STALE))["staleAIModels"]

    assert [node["name"] for node in before["nodes"]] == ["Stale"]
    assert confirmed["confirmReview"] == {"reviewed": {"stale": False}, "userErrors": []}
    assert after == {"totalCount": 0, "nodes": [], "pageInfo": after["pageInfo"]}


async def test_retired_models_and_models_of_archived_services_are_not_listed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    long_ago = utcnow() - timedelta(days=400)
    await create_ai_model(
        session, name="Retired", status=AIModelStatus.RETIRED, created_at=long_ago
    )
    archived = await create_service(session, archived_at=utcnow())
    await create_ai_model(session, service_id=archived.id, name="Orphan", created_at=long_ago)
    for status in (AIModelStatus.PROPOSED, AIModelStatus.APPROVED, AIModelStatus.SUSPENDED):
        await create_ai_model(
            session, name=status.value.title(), status=status, created_at=long_ago
        )

    body = (await data(client, STALE))["staleAIModels"]

    assert [node["name"] for node in body["nodes"]] == ["Approved", "Proposed", "Suspended"]


def test_the_stale_list_is_for_signed_in_callers_as_stale_slas_is() -> None:
    """Not a public query (graphql_schema/access.py): anonymous callers are refused it."""
    assert "staleSlas" not in PUBLIC_QUERIES
    assert "staleAIModels" not in PUBLIC_QUERIES
