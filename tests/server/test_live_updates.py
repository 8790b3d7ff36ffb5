"""Live updates end to end: a real server, a real websocket client (graphql-transport-ws),
PostgreSQL NOTIFY delivered on commit."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from catalog.services.models import Service, Tier
from core.db import make_engine
from core.oidc_settings import IssuerConfig
from core.settings import Settings, load_settings
from graphql_schema.node import global_id
from identity.models import Person
from server import dev_sign_in
from server.app import create_app
from service_levels.evaluation import evaluate_objectives
from tests.builders.catalog import create_service
from tests.builders.service_levels import AS_OF, create_sla, responses
from tests.dev_token import DEV_AUTHORIZATION, DEV_TOKEN
from tests.identity.idp import TestIssuer

PROTOCOL = "graphql-transport-ws"
INCIDENTS = """
subscription Incidents($serviceId: ID) {
  incidentChanged(serviceId: $serviceId) { title status severity services { slug } }
}
"""
SLA_EVENTS = """
subscription Events($serviceId: ID) {
  slaEvents(serviceId: $serviceId) {
    kind value target service { slug } objective { target status }
  }
}
"""
FEEDBACK = """
subscription Feedback($serviceId: ID) { feedbackSubmitted(serviceId: $serviceId) { title kind } }
"""
REPORT = """
mutation Report($input: ReportIncidentInput!) {
  reportIncident(input: $input) { incident { id } userErrors { code } }
}
"""
WAIT_S = 10


@dataclass
class Running:
    app: FastAPI
    host: str

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    async def subscribers(self, count: int) -> None:
        """Wait until the server's hub has `count` subscribers listening."""
        await until(lambda: self.app.state.live.subscriber_count == count)


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(int(WAIT_S / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("waited in vain")


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    made = make_engine(fresh_database)
    yield made
    await made.dispose()


@pytest.fixture
async def serve(fresh_database: str) -> AsyncIterator[Callable[[Settings], Awaitable[Running]]]:
    started: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(settings: Settings) -> Running:
        app = create_app(settings, database_url=fresh_database, dev_token=DEV_TOKEN)
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        started.append((server, task))
        await until(lambda: server.started)
        port = server.servers[0].sockets[0].getsockname()[1]
        return Running(app, f"127.0.0.1:{port}")

    yield start
    for server, task in started:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=WAIT_S)


@asynccontextmanager
async def subscribed(
    running: Running, init: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    """A websocket past connection_init and its connection_ack (`headers` on the upgrade)."""
    uri = f"ws://{running.host}/graphql"
    async with connect(uri, subprotocols=[PROTOCOL], additional_headers=headers) as websocket:  # type: ignore[list-item]
        await websocket.send(json.dumps({"type": "connection_init", "payload": init or {}}))
        assert await receive(websocket) == {"type": "connection_ack"}
        yield websocket


async def receive(websocket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(websocket.recv(), WAIT_S))
    return message


async def subscribe(
    websocket: ClientConnection, key: str, query: str, variables: dict[str, Any]
) -> None:
    message = {"id": key, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    await websocket.send(json.dumps(message))


async def _services(sessions: async_sessionmaker[AsyncSession], *slugs: str) -> list[Service]:
    async with sessions() as session:
        made = [await create_service(session, slug=slug, tier=Tier.TIER_1) for slug in slugs]
        await session.commit()
    return made


async def _report(
    running: Running, service: Service, headers: dict[str, str] = DEV_AUTHORIZATION
) -> dict[str, Any]:
    variables = {
        "input": {
            "source": "MONITORING",
            "alertKey": f"alert-{uuid.uuid4().hex[:6]}",
            "title": f"{service.slug} is down",
            "severity": "SEV2",
            "serviceIds": [global_id("Service", service.id)],
        }
    }
    async with httpx.AsyncClient(base_url=running.url) as client:
        response = await client.post(
            "/graphql", json={"query": REPORT, "variables": variables}, headers=headers
        )
    body: dict[str, Any] = response.json()
    assert body["data"]["reportIncident"]["userErrors"] == [], body
    return body


async def test_an_incident_reported_reaches_the_subscribers_of_its_service_only(
    serve: Callable[[Settings], Awaitable[Running]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    portal, billing = await _services(sessions, "portal", "billing")
    running = await serve(_settings())

    async with subscribed(running, DEV_AUTHORIZATION) as websocket:
        await subscribe(
            websocket, "portal", INCIDENTS, {"serviceId": global_id("Service", portal.id)}
        )
        await subscribe(
            websocket, "billing", INCIDENTS, {"serviceId": global_id("Service", billing.id)}
        )
        await running.subscribers(2)
        await _report(running, billing)
        first = await receive(websocket)
        await _report(running, portal)
        second = await receive(websocket)

    assert first == {
        "id": "billing",
        "type": "next",
        "payload": {
            "data": {
                "incidentChanged": {
                    "title": "billing is down",
                    "status": "DETECTED",
                    "severity": "SEV2",
                    "services": [{"slug": "billing"}],
                }
            }
        },
    }
    assert second["id"] == "portal"
    assert second["payload"]["data"]["incidentChanged"]["title"] == "portal is down"


async def test_an_sla_event_is_delivered_when_the_evaluation_commits_not_before(
    serve: Callable[[Settings], Awaitable[Running]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    [portal] = await _services(sessions, "portal")
    async with sessions() as session:
        await responses(session, portal.id, [45], at=AS_OF - timedelta(days=1))
        await create_sla(session, portal.id, 0.9)
        await session.commit()
    running = await serve(_settings())

    async with subscribed(running, DEV_AUTHORIZATION) as websocket:
        await subscribe(websocket, "events", SLA_EVENTS, {})
        await running.subscribers(1)
        async with sessions() as session:
            await evaluate_objectives(session, AS_OF)
            await session.rollback()  # nothing recorded, nothing announced
        async with sessions() as session:
            await evaluate_objectives(session, AS_OF)
            await session.commit()
        delivered = await receive(websocket)
        # A second delivery answers afresh in a transaction of its own.
        async with sessions() as session:
            await create_sla(session, portal.id, 0.95)
            await evaluate_objectives(session, AS_OF)
            await session.commit()
        second = await receive(websocket)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(websocket.recv(), 0.5)

    # The objective answers now, through the request's loaders, in the delivery's transaction.
    status = delivered["payload"]["data"]["slaEvents"]["objective"].pop("status")
    assert status in {"MET", "AT_RISK", "BREACHED", "NO_DATA"}
    assert delivered["payload"] == {
        "data": {
            "slaEvents": {
                "kind": "SLA_BREACHED",
                "value": 0.0,
                "target": 0.9,
                "service": {"slug": "portal"},
                "objective": {"target": 0.9},
            }
        }
    }
    assert second["payload"]["data"]["slaEvents"]["objective"]["target"] == 0.95
    assert second["payload"]["data"]["slaEvents"]["objective"]["status"] == status


async def test_feedback_submitted_over_rest_reaches_feedback_subscribers(
    serve: Callable[[Settings], Awaitable[Running]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    [portal] = await _services(sessions, "portal")
    running = await serve(_settings())

    async with subscribed(running, DEV_AUTHORIZATION) as websocket:
        await subscribe(
            websocket, "feedback", FEEDBACK, {"serviceId": global_id("Service", portal.id)}
        )
        await running.subscribers(1)
        async with httpx.AsyncClient(base_url=running.url) as client:
            created = await client.post(
                "/api/feedback",
                json={"service": "portal", "kind": "IDEA", "title": "Dark mode", "body": "Please"},
                headers=DEV_AUTHORIZATION,
            )
        assert created.status_code == 201, created.text
        delivered = await receive(websocket)

    assert delivered["payload"] == {
        "data": {"feedbackSubmitted": {"title": "Dark mode", "kind": "IDEA"}}
    }


async def test_queries_and_mutations_are_refused_over_the_websocket(
    serve: Callable[[Settings], Awaitable[Running]],
) -> None:
    running = await serve(_settings())

    async with subscribed(running, DEV_AUTHORIZATION) as websocket:
        await subscribe(websocket, "q", "{ viewer { roles } }", {})
        answer = await receive(websocket)

    errors = answer["payload"]["errors"] if answer["type"] == "next" else answer["payload"]
    assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"]


def _oidc(issuer: TestIssuer, *, anonymous_read: bool) -> Settings:
    config = IssuerConfig(
        issuer=issuer.issuer,
        audience="catalog-api",
        machine_clients={"monitoring": ("SUPPORT_AGENT",)},
    )
    return _settings(oidc_issuers=(config,), anonymous_read=anonymous_read)


async def test_an_anonymous_subscription_to_incidents_is_refused(
    serve: Callable[[Settings], Awaitable[Running]], issuer: TestIssuer
) -> None:
    running = await serve(_oidc(issuer, anonymous_read=True))

    async with subscribed(running) as websocket:
        await subscribe(websocket, "incidents", INCIDENTS, {})
        refused = await receive(websocket)
        done = await receive(websocket)

    assert refused["id"] == "incidents"
    errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    assert [error["extensions"]["code"] for error in errors] == ["UNAUTHENTICATED"]
    assert done == {"id": "incidents", "type": "complete"}
    assert running.app.state.live.subscriber_count == 0


async def test_without_anonymous_reads_a_connection_without_a_token_is_closed(
    serve: Callable[[Settings], Awaitable[Running]], issuer: TestIssuer
) -> None:
    running = await serve(_oidc(issuer, anonymous_read=False))

    for init in ({}, {"Authorization": "Bearer not-a-token"}):
        async with connect(f"ws://{running.host}/graphql", subprotocols=[PROTOCOL]) as websocket:  # type: ignore[list-item]
            await websocket.send(json.dumps({"type": "connection_init", "payload": init}))
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(websocket.recv(), WAIT_S)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4403, init


async def test_a_token_in_connection_init_signs_the_subscriber_in(
    serve: Callable[[Settings], Awaitable[Running]],
    sessions: async_sessionmaker[AsyncSession],
    issuer: TestIssuer,
) -> None:
    [portal] = await _services(sessions, "portal")
    running = await serve(_oidc(issuer, anonymous_read=False))
    viewer = issuer.token(sub="dashboard-viewer", name="Dana")
    monitoring = issuer.token(sub="svc-monitoring", azp="monitoring")

    async with subscribed(running, {"Authorization": f"Bearer {viewer}"}) as websocket:
        await subscribe(websocket, "incidents", INCIDENTS, {})
        await running.subscribers(1)
        await _report(running, portal, headers={"Authorization": f"Bearer {monitoring}"})
        delivered = await receive(websocket)

    assert delivered["payload"]["data"]["incidentChanged"]["title"] == "portal is down"


async def test_a_bad_service_id_is_refused_naming_it(
    serve: Callable[[Settings], Awaitable[Running]],
) -> None:
    running = await serve(_settings())

    async with subscribed(running, DEV_AUTHORIZATION) as websocket:
        await subscribe(websocket, "bad", FEEDBACK, {"serviceId": "nonsense"})
        refused = await receive(websocket)
        done = await receive(websocket)

    assert refused["payload"] == {
        "data": None,
        "errors": [
            {"message": "serviceId is not a valid id", "extensions": {"code": "BAD_USER_INPUT"}}
        ],
    }
    assert done == {"id": "bad", "type": "complete"}


async def test_subscribers_are_told_when_the_server_loses_its_notifications(
    serve: Callable[[Settings], Awaitable[Running]], engine: AsyncEngine
) -> None:
    running = await serve(_settings())

    async with subscribed(running, DEV_AUTHORIZATION) as websocket:
        await subscribe(websocket, "incidents", INCIDENTS, {})
        await running.subscribers(1)
        async with engine.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'service-catalog listener'"
                    " AND datname = current_database()"
                )
            )
        dropped = await receive(websocket)
        done = await receive(websocket)

    assert [error["extensions"]["code"] for error in dropped["payload"]["errors"]] == [
        "SUBSCRIPTION_DROPPED"
    ]
    assert "subscribe again" in dropped["payload"]["errors"][0]["message"]
    assert done == {"id": "incidents", "type": "complete"}


async def test_a_person_deactivated_while_subscribed_gets_nothing_more(
    serve: Callable[[Settings], Awaitable[Running]],
    sessions: async_sessionmaker[AsyncSession],
    issuer: TestIssuer,
) -> None:
    [portal] = await _services(sessions, "portal")
    running = await serve(_oidc(issuer, anonymous_read=False))
    viewer = issuer.token(sub="leaving-viewer", name="Lee")
    monitoring = issuer.token(sub="svc-monitoring", azp="monitoring")

    async with subscribed(running, {"Authorization": f"Bearer {viewer}"}) as websocket:
        await subscribe(websocket, "incidents", INCIDENTS, {})
        await running.subscribers(1)
        async with sessions() as session, session.begin():
            await session.execute(
                update(Person).where(Person.subject == "leaving-viewer").values(active=False)
            )
        await _report(running, portal, headers={"Authorization": f"Bearer {monitoring}"})
        refused = await receive(websocket)

    assert refused["id"] == "incidents"
    errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    assert [error["extensions"]["code"] for error in errors] == ["UNAUTHENTICATED"]
    assert "incidentChanged" not in json.dumps(refused.get("payload", {}).get("data") or {})


DEV_COOKIE = {"Cookie": f"{dev_sign_in.COOKIE_NAME}={DEV_TOKEN}"}


@pytest.mark.parametrize(
    ("init", "headers"),
    [(DEV_AUTHORIZATION, None), ({}, DEV_COOKIE), ({}, DEV_AUTHORIZATION)],
    ids=["connection_init", "cookie", "upgrade-header"],
)
async def test_the_dev_token_signs_a_subscriber_in(
    serve: Callable[[Settings], Awaitable[Running]],
    sessions: async_sessionmaker[AsyncSession],
    init: dict[str, str],
    headers: dict[str, str] | None,
) -> None:
    [portal] = await _services(sessions, "portal")
    running = await serve(_settings())

    async with subscribed(running, init, headers) as websocket:
        await subscribe(websocket, "incidents", INCIDENTS, {})
        await running.subscribers(1)
        await _report(running, portal)
        delivered = await receive(websocket)

    assert delivered["payload"]["data"]["incidentChanged"]["title"] == "portal is down"


async def test_a_websocket_without_the_dev_token_is_anonymous_even_from_loopback(
    serve: Callable[[Settings], Awaitable[Running]],
) -> None:
    running = await serve(_settings())
    stale = {"Cookie": f"{dev_sign_in.COOKIE_NAME}=the-token-of-an-earlier-serve"}

    async with subscribed(running, headers=stale) as websocket:
        await subscribe(websocket, "incidents", INCIDENTS, {})
        refused = await receive(websocket)

    errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    assert [error["extensions"]["code"] for error in errors] == ["UNAUTHENTICATED"]
    assert running.app.state.live.subscriber_count == 0


async def test_a_wrong_dev_token_in_connection_init_closes_the_websocket(
    serve: Callable[[Settings], Awaitable[Running]],
) -> None:
    running = await serve(_settings())

    async with connect(f"ws://{running.host}/graphql", subprotocols=[PROTOCOL]) as websocket:  # type: ignore[list-item]
        init = {"Authorization": "Bearer not-the-dev-token"}
        await websocket.send(json.dumps({"type": "connection_init", "payload": init}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(websocket.recv(), WAIT_S)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
