"""Two API replicas (`service-catalog serve`) behind nginx running the shipped
deploy/nginx/service-catalog.conf, and two workers (`service-catalog worker`), on one
database: what operators rely on when they scale out. Reads spread, a subscriber on either
replica hears a write made on the other, a scheduled job runs once per slot, a replica killed
mid-load loses no acknowledged write, and a sign-in or a token works whichever replica
answers."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from oidc_provider_mock import run_server_in_thread
from websockets.asyncio.client import ClientConnection, connect

from bench import replicas_nginx
from core.db import make_engine, make_sessionmaker
from graphql_schema.node import global_id
from identity.login.sessions import COOKIE_NAME
from tests import database
from tests.builders.catalog import create_service
from tests.graphql import without_cost
from tests.identity.idp import TestIssuer, free_port
from tests.replica_processes import (
    MINUTE_JOBS,
    CatalogProcess,
    api_replica,
    job_runs,
    settled_time,
    worker,
)

ALICE = {"email": "alice@example.com", "email_verified": True, "name": "Alice Martin"}
VIEWER = {"query": "{ viewer { person { displayName } } }"}
SERVICE = {"query": '{ service(slug: "portal") { name } }'}
FEEDBACK = "subscription($serviceId: ID) { feedbackSubmitted(serviceId: $serviceId) { title } }"
WAIT_S = 15
NGINX_FAIL_TIMEOUT_S = 5  # deploy/nginx/service-catalog.conf: max_fails=1 fail_timeout=5s


@dataclass(frozen=True)
class Fleet:
    nginx: replicas_nginx.Nginx
    replicas: tuple[CatalogProcess, CatalogProcess]
    workers: tuple[CatalogProcess, CatalogProcess]
    database_url: str
    service_id: str
    admin: dict[str, str]  # an Authorization header: a bearer token of an administrator
    jobs_since: float  # a settled moment after both workers started (see settled_time)
    job_runs_then: dict[str, float]


@pytest.fixture(scope="module")
async def fleet_database(server_url: str, template: str) -> AsyncIterator[tuple[str, str]]:
    """A database of its own with one service, `portal`: its URL and the service's global id."""
    name = await database.clone(server_url, template, prefix="sc_replicas")
    url = database.with_database(server_url, name)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            portal = await create_service(session, slug="portal", name="Portal")
            await session.commit()
    finally:
        await engine.dispose()
    yield url, global_id("Service", portal.id)
    await database.drop(server_url, name)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """oidc-provider-mock: the identity provider browsers sign in at."""
    with run_server_in_thread() as server:
        issuer = f"http://127.0.0.1:{server.server_port}"
        httpx.put(f"{issuer}/users/alice", json=ALICE).raise_for_status()
        yield issuer


def _settings(
    database_url: str, issuer: TestIssuer, provider: str, public_url: str
) -> dict[str, str]:
    issuers = [
        {"issuer": issuer.issuer, "audience": "catalog-api",
         "role_map": {"catalog-admins": "ADMIN"}},
        {"issuer": provider, "audience": "catalog-api",
         "login": {"client_id": "catalog-web", "client_secret": "web-secret"}},
    ]  # fmt: skip
    return {
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_OIDC_ISSUERS": json.dumps(issuers),
        "CATALOG_SESSION_SECRET": "replicas-share-this-session-secret-0123456789",
        "CATALOG_PUBLIC_URL": public_url,
        "CATALOG_TRUSTED_PROXIES": "127.0.0.1/32",
        "CATALOG_LOG_LEVEL": "WARNING",
        # The database is cloned from the migrated template: migrations are a step of their
        # own, as in production, so no replica spends its start on them.
        "CATALOG_AUTO_MIGRATE": "false",
    }


@pytest.fixture(scope="module")
def running_fleet(
    fleet_database: tuple[str, str],
    issuer: TestIssuer,
    provider: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Fleet]:
    if not replicas_nginx.NGINX.exists():
        message = f"{replicas_nginx.NGINX} is missing: apt-get install -y nginx"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    database_url, service_id = fleet_database
    home = tmp_path_factory.mktemp("replicas")
    nginx_port = free_port()
    settings = _settings(database_url, issuer, provider, f"http://127.0.0.1:{nginx_port}")
    replicas = (
        api_replica("api-1", free_port(), settings, home),
        api_replica("api-2", free_port(), settings, home),
    )
    workers = (
        worker("worker-1", free_port(), settings, home),
        worker("worker-2", free_port(), settings, home),
    )
    nginx = None
    try:
        for process in (*replicas, *workers):  # all at once: they start side by side
            process.start()
        for process in workers:  # the lighter ones: their slot count starts meanwhile
            process.wait_ready()
        since = settled_time()
        runs_then = job_runs(workers)
        for process in replicas:
            process.wait_ready()
        addresses = [f"127.0.0.1:{replica.port}" for replica in replicas]
        nginx = replicas_nginx.start(home / "nginx", addresses, port=nginx_port)
        token = issuer.token(
            sub="replica-admin",
            name="Ada Admin",
            groups=["catalog-admins"],
            exp=int(time.time()) + 3600,
        )
        admin = {"Authorization": f"Bearer {token}"}
        yield Fleet(nginx, replicas, workers, database_url, service_id, admin, since, runs_then)
    finally:
        if nginx is not None:
            nginx.stop()
        for process in (*replicas, *workers):
            process.stop()


@pytest.fixture
def fleet(running_fleet: Fleet) -> Fleet:
    """The running fleet, once a replica killed by an earlier test is back, and back in
    nginx's rotation too (the shipped `fail_timeout` after its last refused connection)."""
    restarted = False
    for replica in running_fleet.replicas:
        if not replica.running:
            replica.start()
        if not replica.answers():
            restarted = True
            replica.wait_ready()
    if restarted:
        time.sleep(NGINX_FAIL_TIMEOUT_S)
    return running_fleet


def _graphql_requests(replica: CatalogProcess) -> float:
    return replica.metric("http_requests", method="POST", handler="/graphql")


def test_reads_through_nginx_are_spread_over_both_replicas(fleet: Fleet) -> None:
    before = [_graphql_requests(replica) for replica in fleet.replicas]

    with httpx.Client(base_url=fleet.nginx.url, headers=fleet.admin) as client:
        answers = [client.post("/graphql", json=SERVICE) for _ in range(20)]

    served = [
        _graphql_requests(replica) - was
        for replica, was in zip(fleet.replicas, before, strict=True)
    ]
    assert [without_cost(answer.json()) for answer in answers] == [
        {"data": {"service": {"name": "Portal"}}}
    ] * 20
    assert sum(served) == 20
    assert min(served) >= 5, served


async def _receive(websocket: ClientConnection, within: float = WAIT_S) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(websocket.recv(), within))
    return message


@asynccontextmanager
async def _subscribed(fleet: Fleet) -> AsyncIterator[ClientConnection]:
    """A websocket through nginx, subscribed to `portal`'s feedback."""
    uri = fleet.nginx.url.replace("http://", "ws://") + "/graphql"
    async with connect(uri, subprotocols=["graphql-transport-ws"]) as websocket:  # type: ignore[list-item]
        await websocket.send(json.dumps({"type": "connection_init", "payload": fleet.admin}))
        assert await _receive(websocket) == {"type": "connection_ack"}
        payload = {"query": FEEDBACK, "variables": {"serviceId": fleet.service_id}}
        await websocket.send(
            json.dumps({"id": "feedback", "type": "subscribe", "payload": payload})
        )
        yield websocket


async def _submit(client: httpx.AsyncClient, title: str, **headers: str) -> httpx.Response:
    body = {"service": "portal", "kind": "IDEA", "title": title, "body": "from a replica test"}
    return await client.post("/api/feedback", json=body, headers=headers)


async def _listening(fleet: Fleet, websocket: ClientConnection) -> None:
    """Until a probe submitted now reaches the subscriber: its subscription is registered
    (a notification sent before that is not the subscriber's to receive)."""
    async with httpx.AsyncClient(base_url=fleet.nginx.url, headers=fleet.admin) as client:
        for _ in range(20):
            title = f"probe-{uuid.uuid4().hex[:8]}"
            assert (await _submit(client, title)).status_code == 201
            try:
                while (await _receive(websocket, 0.5))["payload"]["data"]["feedbackSubmitted"][
                    "title"
                ] != title:
                    pass
                return
            except TimeoutError:
                continue
    pytest.fail("the subscription never delivered a probe")


async def _written(websocket: ClientConnection, count: int) -> list[str]:
    """The titles of the next `count` deliveries, probes left out."""
    titles: list[str] = []
    while len(titles) < count:
        message = await _receive(websocket)
        title = message["payload"]["data"]["feedbackSubmitted"]["title"]
        if not title.startswith("probe-"):
            titles.append(title)
    return titles


async def test_a_subscriber_on_either_replica_hears_a_write_made_on_the_other(
    fleet: Fleet,
) -> None:
    first_api, second_api = fleet.replicas
    # Two websockets through nginx, whichever replica each lands on; then a write on each
    # replica: every subscriber hears both, so at least one crossed from replica to replica.
    async with _subscribed(fleet) as one, _subscribed(fleet) as two:
        await _listening(fleet, one)
        await _listening(fleet, two)
        for replica, title in ((first_api, "written on api-1"), (second_api, "written on api-2")):
            async with httpx.AsyncClient(base_url=replica.url, headers=fleet.admin) as client:
                assert (await _submit(client, title)).status_code == 201
        heard = [await _written(websocket, 2) for websocket in (one, two)]

    assert heard == [["written on api-1", "written on api-2"]] * 2


def test_a_browser_signs_in_on_one_replica_finishes_on_the_other_and_is_known_by_all(
    fleet: Fleet,
) -> None:
    first_api, second_api = fleet.replicas
    with httpx.Client() as browser:  # one cookie jar: loopback cookies ignore the port
        started = browser.get(f"{first_api.url}/auth/login", params={"next": "/graphql"})
        assert started.status_code == 302, started.text
        at_the_provider = httpx.post(started.headers["location"], data={"sub": "alice"})
        assert at_the_provider.status_code in (302, 303), at_the_provider.text
        callback = urlsplit(at_the_provider.headers["location"])
        finished = browser.get(f"{second_api.url}{callback.path}?{callback.query}")
        viewers = [
            browser.post(f"{base}/graphql", json=VIEWER).json()["data"]["viewer"]
            for base in (first_api.url, second_api.url, fleet.nginx.url)
        ]

    # The provider sends the browser back to the public URL: nginx, whichever replica began.
    assert f"{callback.scheme}://{callback.netloc}" == fleet.nginx.url
    assert finished.status_code == 303, finished.text
    assert finished.headers["location"] == "/graphql"
    assert COOKIE_NAME in finished.cookies
    assert viewers == [{"person": {"displayName": "Alice Martin"}}] * 3


def test_a_bearer_token_is_known_by_every_replica(fleet: Fleet) -> None:
    bases = [replica.url for replica in fleet.replicas] + [fleet.nginx.url] * 2

    viewers = [
        httpx.post(f"{base}/graphql", json=VIEWER, headers=fleet.admin).json()["data"]["viewer"]
        for base in bases
    ]

    assert viewers == [{"person": {"displayName": "Ada Admin"}}] * 4


async def _submit_until_acknowledged(
    client: httpx.AsyncClient, title: str, acknowledged: dict[str, str], failures: list[str]
) -> None:
    """One submission, sent again with the same Idempotency-Key until a 2xx: what a careful
    client does when its replica dies under it."""
    key = f"key-{title}"
    for _ in range(40):
        try:
            answer = await _submit(client, title, **{"Idempotency-Key": key})
        except httpx.TransportError as error:
            failures.append(type(error).__name__)
        else:
            if answer.is_success:
                acknowledged[title] = answer.json()["id"]
                return
            failures.append(str(answer.status_code))
        await asyncio.sleep(0.2)


async def test_a_replica_killed_mid_load_loses_no_acknowledged_write(fleet: Fleet) -> None:
    doomed = fleet.replicas[1]
    acknowledged: dict[str, str] = {}
    failures: list[str] = []
    titles = [f"kill-{client}-{n}" for client in range(6) for n in range(20)]
    before = doomed.metric("http_requests", handler="/api/feedback")

    busy = threading.Event()

    async def one_client(mine: list[str]) -> None:
        async with httpx.AsyncClient(base_url=fleet.nginx.url, headers=fleet.admin) as client:
            for title in mine:
                await _submit_until_acknowledged(client, title, acknowledged, failures)
                if len(acknowledged) >= len(titles) // 4:
                    busy.set()

    def kill_when_busy() -> float:
        """From a thread of its own, so that the clients keep sending until the kill."""
        assert busy.wait(timeout=120), "the submissions never got going"
        served = doomed.metric("http_requests", handler="/api/feedback") - before
        doomed.kill()
        return served

    try:
        async with asyncio.TaskGroup() as group:
            for client in range(6):
                group.create_task(one_client(titles[client * 20 : (client + 1) * 20]))
            killing = group.create_task(asyncio.to_thread(kill_when_busy))
    finally:
        doomed.start()  # back for the next test, which waits for it (the `fleet` fixture)
    stored = await _stored_feedback(fleet.database_url, "kill-%")

    assert killing.result() > 0, "the killed replica had served no submission"
    assert sorted(acknowledged) == sorted(titles), f"refused or failed attempts: {failures}"
    assert stored == {title: [feedback_id] for title, feedback_id in acknowledged.items()}


async def _stored_feedback(database_url: str, pattern: str) -> dict[str, list[str]]:
    """Each stored feedback title with the global ids of its rows."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT title, id FROM feedback WHERE title LIKE $1 ORDER BY created_at", pattern
        )
    finally:
        await connection.close()
    stored: dict[str, list[str]] = {}
    for row in rows:
        stored.setdefault(row["title"], []).append(global_id("Feedback", row["id"]))
    return stored


def test_each_slot_of_a_scheduled_job_runs_once_across_two_workers(running_fleet: Fleet) -> None:
    fleet = running_fleet  # its workers; a replica still restarting does not matter here
    since, before = fleet.jobs_since, fleet.job_runs_then
    # Until a slot has started since then and settled: both workers were up all along.
    while time.time() // 60 == since // 60:
        time.sleep(60 - time.time() % 60 + 0.1)
    until = settled_time()
    after = job_runs(fleet.workers)
    slots = int(until // 60 - since // 60)

    assert all(process.running for process in fleet.workers)
    assert slots >= 1
    ran = {job: after[job] - before[job] for job in MINUTE_JOBS}
    assert ran == dict.fromkeys(MINUTE_JOBS, slots)
