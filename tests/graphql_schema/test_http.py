"""GraphQL over HTTP (SPEC §2): legacy application/json, and the spec's statuses for
application/graphql-response+json; GET for queries only; 400, 405, 406, 413, 415."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import strawberry
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection
from starlette.types import Message, Receive, Scope, Send

from core.settings import Settings, load_settings
from graphql_schema.errors import BadUserInput
from graphql_schema.http import graphql_router, response_media_type
from graphql_schema.limits import Limits, guard_extensions
from identity.principal import Principal
from server.app import create_app
from server.middleware import BodySizeLimitMiddleware
from tests.dev_token import DEV_TOKEN
from tests.graphql import without_cost
from tests.lifespan import developer_client, lifespan

GRAPHQL_RESPONSE = "application/graphql-response+json"
SPEC = {"accept": GRAPHQL_RESPONSE}
LEGACY = {"accept": "application/json"}
TYPENAME = {"query": "{ __typename }"}
MUTATION = 'mutation { confirmReview(input: {id: "x"}) { userErrors { code } } }'


def _errors(message: str, code: str = "BAD_USER_INPUT") -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


@pytest.fixture
async def anonymous(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """A caller without the development token (from loopback): the public catalog only."""
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/html, */*;q=0.8", "application/json"),
        (GRAPHQL_RESPONSE, f"{GRAPHQL_RESPONSE}; charset=utf-8"),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", f"{GRAPHQL_RESPONSE}; charset=utf-8"),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
    ],
)
async def test_the_answer_comes_in_the_media_type_the_client_prefers(
    client: httpx.AsyncClient, accept: str | None, media_type: str
) -> None:
    headers = {"accept": accept} if accept is not None else {}
    response = await client.post("/graphql", json=TYPENAME, headers=headers)

    assert (response.status_code, response.headers["content-type"]) == (200, media_type)
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


def test_an_accept_header_naming_nothing_we_serve_is_not_acceptable() -> None:
    assert response_media_type("text/plain") is None
    assert response_media_type(f"{GRAPHQL_RESPONSE};q=0, application/json;q=0") is None
    assert response_media_type(f"application/json;q=0, {GRAPHQL_RESPONSE}") == GRAPHQL_RESPONSE


async def test_an_unacceptable_accept_header_gets_406(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=TYPENAME, headers={"accept": "text/plain"})

    assert response.status_code == 406
    assert response.json() == _errors(
        f"accept {GRAPHQL_RESPONSE} or application/json: no other is served"
    )


@pytest.mark.parametrize("headers", [LEGACY, SPEC])
async def test_get_serves_queries(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.get("/graphql", params=TYPENAME, headers=headers)

    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("headers", [LEGACY, SPEC])
async def test_a_mutation_over_get_is_405_with_allow_post(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/graphql", params={"query": MUTATION}, headers=headers)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == _errors("GET serves queries only: send mutations with POST")


async def test_a_browser_gets_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("headers", [LEGACY, SPEC])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"query": ', "Unable to parse request body as JSON"),
        (b"", "Unable to parse request body as JSON"),
        (b'{"variables": {}}', "No GraphQL query found in the request"),
        (b'{"query": 5}', "The GraphQL operation's `query` must be a string or null, if provided."),
        (
            b'{"query": "{ __typename }", "variables": []}',
            "The GraphQL operation's `variables` must be an object or null, if provided.",
        ),
        (
            b'{"query": "{ __typename }", "operationName": 5}',
            "operationName must be a string or null, if provided",
        ),
        (b'"{ __typename }"', "expected a JSON object"),
        (b'[{"query": "{ __typename }"}]', "Batching is not enabled"),
        (b'{"query": "\xff"}', "the request is not valid UTF-8"),
    ],
)
async def test_a_malformed_request_is_400(
    client: httpx.AsyncClient, headers: dict[str, str], content: bytes, message: str
) -> None:
    response = await client.post(
        "/graphql", content=content, headers={**headers, "content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == _errors(message)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/json; charset=latin-1",
    ],
)
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/graphql", content=json.dumps(TYPENAME), headers=headers)

    assert response.status_code == 415
    assert response.json() == _errors("send the request body as application/json in UTF-8")


async def test_json_in_utf_8_with_its_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": '{ __type(name: "Run🏃Swim🏊") { name } }'}).encode(),
        headers={"content-type": "application/json; charset=UTF-8"},
    )

    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": {"__type": None}}


# Request errors: the same errors under both media types, with the spec's statuses (and no
# `data` entry) under application/graphql-response+json.
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"query": "{"}, 400, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "{ xyzzy }"}, 422, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "{ services(first: 101) { totalCount } }"}, 422, "PAGE_SIZE_EXCEEDED"),
        ({"query": "{ " + "__typename " * 2001 + "}"}, 400, "TOKEN_LIMIT_EXCEEDED"),
        (
            {
                "query": "query ($n: Int) { services(first: $n) { totalCount } }",
                "variables": {"n": "x"},
            },
            400,
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_a_request_error_has_the_spec_status_and_no_data(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, code: str
) -> None:
    legacy = await client.post("/graphql", json=body, headers=LEGACY)
    spec = await client.post("/graphql", json=body, headers=SPEC)

    assert legacy.status_code == 200
    assert legacy.json()["data"] is None
    assert spec.status_code == status
    assert "data" not in spec.json()
    assert spec.json()["errors"] == legacy.json()["errors"]
    assert [error["extensions"]["code"] for error in spec.json()["errors"]] == [code]


async def test_a_refused_anonymous_caller_gets_401_with_a_challenge(
    anonymous: httpx.AsyncClient,
) -> None:
    body = {"query": "{ auditEvents { totalCount } }"}
    legacy = await anonymous.post("/graphql", json=body, headers=LEGACY)
    spec = await anonymous.post("/graphql", json=body, headers=SPEC)

    refusal = _errors("sign in to see Query.auditEvents", "UNAUTHENTICATED")
    assert (legacy.status_code, without_cost(legacy.json())) == (200, {"data": None, **refusal})
    assert (spec.status_code, without_cost(spec.json())) == (401, refusal)
    assert spec.headers["www-authenticate"] == "Bearer"


async def test_a_caller_without_the_role_gets_403(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    viewer = load_settings(
        database_url="postgresql://unused/unused", dev_roles="VIEWER", _env_file=None
    )
    app = create_app(viewer, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with developer_client(app) as client:
        body = {"query": "{ auditEvents { totalCount } }"}
        legacy = await client.post("/graphql", json=body, headers=LEGACY)
        spec = await client.post("/graphql", json=body, headers=SPEC)

    refusal = _errors("auditEvents needs the AUDITOR role", "FORBIDDEN")
    assert (legacy.status_code, without_cost(legacy.json())) == (200, {"data": None, **refusal})
    assert (spec.status_code, without_cost(spec.json())) == (403, refusal)


async def test_a_field_error_after_execution_keeps_its_data_entry_and_200(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": '{ services(first: 1, after: "junk") { totalCount } }'},
        headers=SPEC,
    )

    assert response.status_code == 200
    assert without_cost(response.json()) == {
        "data": None,
        "errors": [
            {
                "message": "'junk' is not a valid cursor",
                "locations": [{"line": 1, "column": 3}],
                "path": ["services"],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }


@strawberry.type
class PartlyQuery:
    @strawberry.field
    def fine(self) -> str:
        return "fine"

    @strawberry.field
    def refused(self) -> str | None:
        raise BadUserInput("no")


async def _nobody(request: HTTPConnection, settings: Settings) -> Principal | None:
    return None


async def test_partial_data_is_294_under_the_spec_and_200_otherwise(settings: Settings) -> None:
    @asynccontextmanager
    async def app_lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.sessionmaker = None
        yield

    schema = strawberry.Schema(
        query=PartlyQuery, extensions=guard_extensions(Limits(), mask_errors=False)
    )
    app = FastAPI(lifespan=app_lifespan)
    graphql_router(schema, settings=settings, principal_for=_nobody).mount_on(
        app, prefix="/graphql"
    )
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            spec = await client.post("/graphql", json={"query": "{ fine refused }"}, headers=SPEC)
            legacy = await client.post("/graphql", json={"query": "{ fine refused }"})

    expected = {
        "data": {"fine": "fine", "refused": None},
        "errors": [
            {
                "message": "no",
                "locations": [{"line": 1, "column": 8}],
                "path": ["refused"],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }
    assert (spec.status_code, without_cost(spec.json())) == (294, expected)
    assert (legacy.status_code, without_cost(legacy.json())) == (200, expected)


# Bodies over CATALOG_MAX_BODY_BYTES (1 MiB by default).
MIB = 1024 * 1024
TOO_LARGE = _errors(f"the request body is larger than {MIB} bytes (CATALOG_MAX_BODY_BYTES)")


def _padded(size: int) -> bytes:
    """A valid GraphQL request of exactly `size` bytes."""
    head = b'{"query": "{ __typename }", "extensions": {"pad": "'
    return head + b"x" * (size - len(head) - 3) + b'"}}'


async def test_a_body_at_the_limit_is_served(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=_padded(MIB), headers={"content-type": "application/json"}
    )

    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


async def test_a_declared_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=_padded(MIB + 1), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert response.json() == TOO_LARGE


async def test_a_chunked_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        body = _padded(MIB + 1)
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json() == TOO_LARGE


async def test_a_body_over_the_limit_is_413_on_every_route(client: httpx.AsyncClient) -> None:
    response = await client.post("/healthz", content=b"x" * (MIB + 1))

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": f"the request body is larger than {MIB} bytes (CATALOG_MAX_BODY_BYTES)",
        "errors": [],
    }


class _Recorder:
    """An ASGI app that reads the whole body, then answers 200 (too late, when refused)."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self.read_body = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            self.received.append(message)
            self.read_body = True
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _call(
    app: _Recorder, chunks: list[bytes], headers: list[tuple[bytes, bytes]]
) -> list[Message]:
    middleware = BodySizeLimitMiddleware(app, max_bytes=10)
    pending = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "path": "/upload", "method": "POST", "headers": headers}
    await middleware(scope, receive, send)
    return sent


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read() -> None:
    app = _Recorder()
    sent = await _call(app, [b"x" * 11], [(b"content-length", b"11")])

    assert not app.read_body
    assert [message.get("status") for message in sent] == [413, None]


async def test_a_stream_past_the_limit_is_refused_and_the_route_sees_a_disconnect() -> None:
    app = _Recorder()
    sent = await _call(app, [b"x" * 6, b"x" * 6, b"x" * 6], [])

    assert [message["type"] for message in app.received] == ["http.request", "http.disconnect"]
    assert [message.get("status") for message in sent] == [413, None]  # the app's 200 dropped


async def test_a_stream_within_the_limit_passes_untouched() -> None:
    app = _Recorder()
    sent = await _call(app, [b"x" * 5, b"x" * 5], [])

    assert [message["body"] for message in app.received] == [b"x" * 5, b"x" * 5]
    assert [message.get("status") for message in sent] == [200, None]
