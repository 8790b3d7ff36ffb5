"""POST /api/feedback, as curl and frontends use it: statuses, problem details, idempotency."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.oidc_settings import IssuerConfig
from core.settings import load_settings
from feedback.models import Feedback
from server.app import create_app
from tests.graphql import data
from tests.lifespan import lifespan

BODY = {"service": "case-management", "kind": "IDEA", "title": "Bulk close", "body": "Please."}


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Feedback)) or 0)


async def test_a_submission_is_created_and_resolves_as_a_node(
    client: httpx.AsyncClient, service: Any
) -> None:
    response = await client.post("/api/feedback", json={**BODY, "rating": 2})

    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "NEW"
    node = await data(
        client,
        "query($id: ID!) { node(id: $id) "
        "{ ... on Feedback { title rating channel service { slug } } } }",
        {"id": created["id"]},
    )
    assert node["node"] == {
        "title": "Bulk close",
        "rating": 2,
        "channel": "API",
        "service": {"slug": "case-management"},
    }


async def test_a_repeat_with_the_same_key_replays_and_stores_once(
    client: httpx.AsyncClient, service: Any, session: AsyncSession
) -> None:
    headers = {"Idempotency-Key": "k-1"}
    first = await client.post("/api/feedback", json=BODY, headers=headers)
    second = await client.post("/api/feedback", json=BODY, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(session) == 1


async def test_a_key_reused_with_another_body_is_refused(
    client: httpx.AsyncClient, service: Any, session: AsyncSession
) -> None:
    await client.post("/api/feedback", json=BODY, headers={"Idempotency-Key": "k-2"})

    response = await client.post(
        "/api/feedback", json={**BODY, "title": "Other"}, headers={"Idempotency-Key": "k-2"}
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "idempotencyKey"
    assert await _count(session) == 1


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({**BODY, "title": ""}, "title", "REQUIRED"),
        ({**BODY, "title": "x" * 201}, "title", "TOO_LONG"),
        ({**BODY, "body": "x" * 10_001}, "body", "TOO_LONG"),
        ({**BODY, "rating": 6}, "rating", "INVALID"),
        ({**BODY, "kind": "RANT"}, "kind", "INVALID"),
        ({key: value for key, value in BODY.items() if key != "body"}, "body", "REQUIRED"),
        ({**BODY, "service": "no-such-service"}, "service", "NOT_FOUND"),
        ({**BODY, "title": "   "}, "title", "REQUIRED"),
        ({**BODY, "surprise": 1}, "surprise", "INVALID"),
    ],
)
async def test_bad_fields_get_422_problem_details_and_nothing_is_stored(
    client: httpx.AsyncClient,
    service: Any,
    session: AsyncSession,
    body: dict[str, Any],
    field: str,
    code: str,
) -> None:
    response = await client.post("/api/feedback", json=body)

    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"] == "Unprocessable Content"
    assert [(error["field"], error["code"]) for error in problem["errors"]] == [(field, code)]
    assert await _count(session) == 0


async def test_malformed_json_is_400(client: httpx.AsyncClient, service: Any) -> None:
    response = await client.post(
        "/api/feedback", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_form_post_is_415(client: httpx.AsyncClient, service: Any) -> None:
    response = await client.post("/api/feedback", data={"title": "x"})

    assert response.status_code == 415


async def test_the_openapi_document_describes_the_door(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    operation = document["paths"]["/api/feedback"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"service", "kind", "title", "body"}
    assert {"201", "400", "401", "403", "409", "413", "415", "422", "429"} <= set(
        operation["responses"]
    )


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


async def test_every_reference_of_the_openapi_document_resolves(
    client: httpx.AsyncClient,
) -> None:
    """A `$ref` resolves against the whole document: a model's own `$defs` must not leak in
    (schemathesis could generate no request body from the dangling `#/$defs/FeedbackKind`)."""
    document = (await client.get("/openapi.json")).json()

    for ref in _refs(document):
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]
    schema = document["paths"]["/api/feedback"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    assert schema["properties"]["kind"]["enum"] == ["IDEA", "BUG", "PRAISE", "QUESTION"]


async def test_problem_responses_are_described_as_problem_json(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()

    responses = document["paths"]["/api/feedback"]["post"]["responses"]
    for status in ("400", "401", "403", "409", "413", "415", "422", "429"):
        content = responses[status]["content"]["application/problem+json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Problem"}, status


@pytest.fixture
async def anonymous_client(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(IssuerConfig(issuer="https://idp.example.test", audience="api"),),
        anonymous_feedback=True,
        feedback_rate_limit="3/minute",
        _env_file=None,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_anonymous_feedback_needs_a_contact_email(
    anonymous_client: httpx.AsyncClient, service: Any
) -> None:
    refused = await anonymous_client.post("/api/feedback", json=BODY)
    accepted = await anonymous_client.post(
        "/api/feedback", json={**BODY, "contactEmail": "visitor@example.org"}
    )

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "contactEmail"
    assert accepted.status_code == 201


async def test_anonymous_submissions_are_rate_limited_but_replays_are_not(
    anonymous_client: httpx.AsyncClient, service: Any, session: AsyncSession
) -> None:
    body = {**BODY, "contactEmail": "visitor@example.org"}
    statuses = [
        (await anonymous_client.post("/api/feedback", json=body)).status_code for _ in range(3)
    ]
    keyed = await anonymous_client.post(
        "/api/feedback", json=body, headers={"Idempotency-Key": "a"}
    )

    assert statuses == [201, 201, 201]
    assert keyed.status_code == 429
    assert int(keyed.headers["retry-after"]) >= 1
    assert await _count(session) == 3


async def test_anonymous_feedback_is_refused_when_turned_off(
    make_anonymous: Any, service: Any
) -> None:
    response = await make_anonymous.post("/api/feedback", json=BODY)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.fixture
async def make_anonymous(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(
        database_url="postgresql://unused/unused",
        oidc_issuers=(IssuerConfig(issuer="https://idp.example.test", audience="api"),),
        _env_file=None,
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
