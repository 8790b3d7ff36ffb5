"""While PostgreSQL is down (restarting, say), a request that needs it is told so: 503 with
`Retry-After`, in the shape its route answers in, not a bare 500 and a dropped connection;
what needs no database still answers."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from core.settings import load_settings
from server.app import create_app
from tests.dev_token import DEV_TOKEN
from tests.lifespan import developer_client


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused, as to a stopped server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(
        database_url=f"postgresql://postgres@127.0.0.1:{_closed_port()}/catalog", _env_file=None
    )
    app = create_app(settings, dev_token=DEV_TOKEN)
    async with developer_client(app) as client:
        yield client


@pytest.mark.parametrize(
    "accept", ["application/json", "application/graphql-response+json"], ids=["json", "gql"]
)
async def test_graphql_says_the_database_is_unavailable_and_when_to_retry(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"accept": accept}
    )

    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"].startswith(accept)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert "try again" in error["message"]


async def test_a_feedback_submission_gets_problem_details(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/feedback",
        json={"service": "payroll", "kind": "BUG", "title": "Down", "body": "It is down."},
        headers={"idempotency-key": "while-down-1"},
    )

    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 503


async def test_liveness_needs_no_database_and_readiness_says_why(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 503


@pytest.mark.parametrize(
    ("accept", "status"), [("application/json", 200), ("application/graphql-response+json", 503)]
)
async def test_an_anonymous_read_says_the_database_is_unavailable(
    client: httpx.AsyncClient, accept: str, status: int
) -> None:
    """No caller to look up, so the query itself meets the missing database."""
    del client.headers["authorization"]
    response = await client.post(
        "/graphql",
        json={"query": "{ services(first: 1) { edges { node { name } } } }"},
        headers={"accept": accept},
    )

    assert response.status_code == status
    assert response.json().get("data") is None
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
