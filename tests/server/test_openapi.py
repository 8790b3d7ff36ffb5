"""`/openapi.json` is a valid OpenAPI document that says how to call each operation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings, load_settings
from server.app import create_app
from tests.lifespan import lifespan

SIGNED_IN: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


async def _document(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[str, Any]:
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
async def document(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[str, Any]:
    return await _document(settings, engine, sessionmaker)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


async def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # raises OpenAPIValidationError, which names the offending part

    # The validator leaves a `$ref` inside a schema alone: each must resolve from the root
    # (a model's own `#/$defs/...` would not, and client generators refuse it).
    for ref in _refs(document):
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]


async def test_problems_are_described_as_problem_json_only(document: dict[str, Any]) -> None:
    responses = document["paths"]["/api/feedback"]["post"]["responses"]

    for status in ("400", "401", "403", "409", "413", "415", "422", "429"):
        assert responses[status]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }, status
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "title",
        "status",
        "detail",
    }
    assert responses["401"]["headers"]["WWW-Authenticate"]["required"] is True
    assert responses["429"]["headers"]["Retry-After"]["required"] is True


async def test_the_feedback_door_declares_its_idempotency_key_and_answers(
    document: dict[str, Any],
) -> None:
    operation = document["paths"]["/api/feedback"]["post"]

    assert operation["parameters"] == [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": operation["parameters"][0]["description"],
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        }
    ]
    created = operation["responses"]["201"]
    assert created["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackCreated"}}
    }
    assert created["headers"]["Idempotent-Replayed"]["schema"] == {
        "type": "string",
        "enum": ["true"],
    }


async def test_the_ways_to_sign_in_are_declared(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]

    assert schemes["bearer"]["type"] == "http"
    assert schemes["bearer"]["scheme"] == "bearer"
    assert (schemes["session"]["in"], schemes["session"]["name"]) == ("cookie", "catalog_session")


async def test_anonymous_access_is_declared_as_the_settings_allow_it(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    settings = load_settings(
        database_url="postgresql://unused/unused",
        anonymous_read=True,
        anonymous_feedback=False,
        _env_file=None,
    )

    document = await _document(settings, engine, sessionmaker)

    paths = document["paths"]
    assert paths["/graphql"]["get"]["security"] == [*SIGNED_IN, {}]
    assert paths["/graphql"]["post"]["security"] == [*SIGNED_IN, {}]
    assert paths["/api/feedback"]["post"]["security"] == SIGNED_IN


async def test_graphql_answers_are_described_under_both_media_types(
    document: dict[str, Any],
) -> None:
    responses = document["paths"]["/graphql"]["post"]["responses"]

    assert set(responses) == {
        *("200", "294", "400", "401", "403", "404", "406", "413", "415", "422", "429", "504")
    }
    for status, response in responses.items():
        assert set(response["content"]) == {
            "application/json",
            "application/graphql-response+json",
        }, status
    get = document["paths"]["/graphql"]["get"]["responses"]
    assert "text/html" in get["200"]["content"]
    assert get["405"]["headers"]["Allow"]["schema"]["enum"] == ["POST"]
    assert responses["429"]["headers"]["Retry-After"]["required"] is True
