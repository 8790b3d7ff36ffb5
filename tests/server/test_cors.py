"""CORS for browser apps on the listed origins, and the same list for /graphql's websocket."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin, Subprotocol

from core.settings import Settings, load_settings
from server.app import create_app
from tests.dev_token import DEV_AUTHORIZATION, DEV_TOKEN
from tests.graphql import without_cost
from tests.lifespan import lifespan
from tests.serving import served_in_loop

SERVICE_CATALOG = Path(sys.executable).with_name("service-catalog")
APP = "http://app.example.test"
FOREIGN = "http://elsewhere.example.test"
REQUEST_HEADERS = "authorization, content-type, idempotency-key, x-request-id"
TYPENAME = {"query": "{ __typename }"}


def _settings(**overrides: Any) -> Settings:
    # Anonymous reads off: a preflight carries no credentials, and must be answered anyway.
    return load_settings(
        database_url="postgresql://unused/unused",
        anonymous_read=False,
        _env_file=None,
        **overrides,
    )


@pytest.fixture
async def caller(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        _settings(cors_origins=f"{APP}, http://localhost:5173"),
        engine=engine,
        sessionmaker=sessionmaker,
        dev_token=DEV_TOKEN,
    )
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def _preflight_headers(origin: str, method: str, headers: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": headers,
    }


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.startswith("access-control-")
    }


@pytest.mark.parametrize("path", ["/graphql", "/api/feedback", "/auth/logout"])
async def test_a_preflight_from_a_listed_origin_is_answered_on_each_route_family(
    caller: httpx.AsyncClient, path: str
) -> None:
    response = await caller.options(path, headers=_preflight_headers(APP, "POST", REQUEST_HEADERS))

    assert response.status_code == 200
    assert _cors_headers(response) == {
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": (
            "Accept, Accept-Language, Authorization, Content-Language, Content-Type,"
            " Idempotency-Key, X-Request-ID"
        ),
        "access-control-max-age": "600",
    }
    assert "Origin" in response.headers["vary"]
    assert response.headers["x-content-type-options"] == "nosniff"  # security headers wrap it


async def test_a_preflight_from_an_unlisted_origin_gets_no_cors_headers(
    caller: httpx.AsyncClient,
) -> None:
    response = await caller.options(
        "/graphql", headers=_preflight_headers(FOREIGN, "POST", "content-type")
    )

    assert response.status_code == 400
    assert response.text == "Disallowed CORS origin"
    assert _cors_headers(response) == {}
    assert response.headers["vary"] == "Origin"


async def test_a_request_from_an_unlisted_origin_gets_no_cors_headers(
    caller: httpx.AsyncClient,
) -> None:
    response = await caller.post(
        "/graphql", json=TYPENAME, headers={"origin": FOREIGN, **DEV_AUTHORIZATION}
    )

    assert response.status_code == 200
    assert _cors_headers(response) == {}
    assert response.headers["vary"] == "Origin"


async def test_a_preflight_asking_for_a_header_not_allowed_is_refused(
    caller: httpx.AsyncClient,
) -> None:
    response = await caller.options(
        "/graphql", headers=_preflight_headers(APP, "POST", "content-type, x-debug")
    )

    assert response.status_code == 400
    assert response.text == "Disallowed CORS headers"


async def test_a_preflight_asking_for_a_method_not_allowed_is_refused(
    caller: httpx.AsyncClient,
) -> None:
    response = await caller.options(
        "/api/feedback", headers=_preflight_headers(APP, "DELETE", "content-type")
    )

    assert response.status_code == 400
    assert response.text == "Disallowed CORS method"


async def test_a_simple_request_exposes_the_request_id(caller: httpx.AsyncClient) -> None:
    response = await caller.post(
        "/graphql", json=TYPENAME, headers={"origin": APP, **DEV_AUTHORIZATION}
    )

    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["access-control-allow-credentials"] == "true"
    exposed = response.headers["access-control-expose-headers"].split(", ")
    assert exposed == [
        "x-request-id",
        "retry-after",
        "idempotent-replayed",
        "ratelimit",
        "ratelimit-policy",
        "www-authenticate",
    ]
    assert response.headers["x-request-id"]


async def test_a_refusal_of_authentication_is_readable_by_a_listed_origin(
    caller: httpx.AsyncClient,
) -> None:
    response = await caller.post("/graphql", json=TYPENAME, headers={"origin": APP})

    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == APP


async def test_routes_outside_the_browser_families_take_no_part(
    caller: httpx.AsyncClient,
) -> None:
    response = await caller.get("/healthz", headers={"origin": APP})

    assert response.status_code == 200
    assert _cors_headers(response) == {}


async def test_without_listed_origins_there_is_no_cors(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    app = create_app(_settings(), engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.options(
                "/graphql", headers=_preflight_headers(APP, "POST", "content-type")
            )

    assert _cors_headers(response) == {}


# --- /graphql's websocket ---------------------------------------------------------------


@pytest.fixture
async def served(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[str]:
    """The app over loopback (anonymous reads on); its host and port."""
    settings = load_settings(
        database_url="postgresql://unused/unused", cors_origins=APP, _env_file=None
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with served_in_loop(app) as host:
        yield host


async def _acknowledged(host: str, origin: str | None) -> dict[str, Any]:
    async with connect(
        f"ws://{host}/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        origin=None if origin is None else Origin(origin),
    ) as websocket:
        await websocket.send(json.dumps({"type": "connection_init", "payload": {}}))
        message: dict[str, Any] = json.loads(await asyncio.wait_for(websocket.recv(), 10))
        return message


async def test_a_websocket_from_a_foreign_origin_is_refused(served: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await _acknowledged(served, FOREIGN)

    assert refused.value.response.status_code == 403


async def test_a_websocket_from_a_listed_origin_is_accepted(served: str) -> None:
    assert await _acknowledged(served, APP) == {"type": "connection_ack"}


async def test_a_websocket_from_the_same_origin_is_accepted(served: str) -> None:
    assert await _acknowledged(served, f"http://{served}") == {"type": "connection_ack"}


# --- start-up ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "*",
            "`*` is refused: credentials are allowed, so list each origin"
            " (e.g. https://app.example.com)",
        ),
        (
            f"{APP}, https://app.example.test/login",
            "'https://app.example.test/login' is not an origin: scheme://host[:port],"
            " e.g. https://app.example.com",
        ),
    ],
)
def test_a_wildcard_or_a_malformed_origin_stops_start_up(
    value: str, message: str, tmp_path: Path
) -> None:
    environment = {
        name: setting for name, setting in os.environ.items() if not name.startswith("CATALOG_")
    }
    environment |= {"CATALOG_CORS_ORIGINS": value, "CATALOG_DATA_DIR": str(tmp_path / "data")}

    result = subprocess.run(
        [str(SERVICE_CATALOG), "serve", "--port", "0"],
        env=environment,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"service-catalog: invalid setting CATALOG_CORS_ORIGINS: {message}"
    ]
    assert not (tmp_path / "data").exists()  # stopped before touching any database
