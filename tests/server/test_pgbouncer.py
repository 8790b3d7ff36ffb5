"""The API, the worker and the export through PgBouncer 1.18 in transaction pooling mode
(a real `pgbouncer` process, bench/pgbouncer.py), LISTEN and builders direct: what an
operator deploying docs/deploying-with-pgbouncer.md relies on."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.pgbouncer import available, pgbouncer
from catalog.services.models import Tier
from core.db import make_engine, make_sessionmaker
from core.oidc_settings import IssuerConfig
from core.settings import ReadPath, Settings, load_settings
from graphql_schema.node import global_id
from server.app import create_app
from server.exchange.export import export_database
from server.jobs import EPOCH, JOBS, Job, JobContext, Scheduler
from server.jobs.scheduler import job_context, run_jobs_and_deliveries
from tests import database
from tests.builders.catalog import create_service
from tests.dev_token import DEV_AUTHORIZATION, DEV_TOKEN
from tests.identity.idp import TestIssuer
from tests.lifespan import lifespan
from tests.server.test_live_updates import INCIDENTS, Running, receive, subscribe, subscribed
from tests.serving import served_in_loop

pytestmark = pytest.mark.skipif(
    not available(), reason="the `pgbouncer` binary is not installed (Debian package pgbouncer)"
)

# PgBouncer's server connections per database: fewer than the app's own pool, so requests
# queue in PgBouncer and share server connections one transaction after another.
POOL_SIZE = 3
APP_POOL_SIZE = 10
CLIENTS = 24
COMMAND = Path(sys.executable).parent / "service-catalog"
STATEMENT_TIMEOUT_MS = 60_000
REPORT = """
mutation Report($input: ReportIncidentInput!) {
  reportIncident(input: $input) { incident { title status } userErrors { code } }
}
"""
SERVICES = "{ services(first: 10) { totalCount nodes { slug tier } } }"
SERVICE = "query($slug: String!) { service(slug: $slug) { slug name tier } }"


@dataclass(frozen=True)
class Databases:
    direct: str  # PostgreSQL itself
    bounced: str  # the same database through PgBouncer
    name: str
    portal_id: str


@dataclass(frozen=True)
class Api:
    app: FastAPI
    running: Running
    viewer: dict[str, str]  # Authorization headers of a person and of a monitoring client
    monitoring: dict[str, str]


@pytest.fixture(scope="module")
def bouncer(server_url: str) -> Iterator[str]:
    with pgbouncer(
        server_url, pool_size=POOL_SIZE, statement_timeout_ms=STATEMENT_TIMEOUT_MS
    ) as url:
        yield url


@pytest.fixture(scope="module")
async def databases(server_url: str, template: str, bouncer: str) -> AsyncIterator[Databases]:
    """A database of its own holding `portal` and `billing`, written directly."""
    name = await database.clone(server_url, template, prefix="sc_pgbouncer")
    direct = database.with_database(server_url, name)
    engine = make_engine(direct)
    try:
        async with make_sessionmaker(engine)() as session:
            portal = await create_service(session, slug="portal", name="Portal", tier=Tier.TIER_1)
            await create_service(session, slug="billing", name="Billing", tier=Tier.TIER_2)
            await session.commit()
    finally:
        await engine.dispose()
    yield Databases(
        direct, database.with_database(bouncer, name), name, global_id("Service", portal.id)
    )
    await database.drop(server_url, name)


def pooled_settings(databases: Databases, **overrides: Any) -> Settings:
    chosen: dict[str, Any] = {
        "database_url": databases.bounced,
        "database_pooler": "pgbouncer-transaction",
        "database_direct_url": databases.direct,
        "database_pool_size": APP_POOL_SIZE,
        "statement_timeout_ms": STATEMENT_TIMEOUT_MS,
    }
    return load_settings(_env_file=None, **(chosen | overrides))


@pytest.fixture(scope="module")
async def api(databases: Databases, issuer: TestIssuer) -> AsyncIterator[Api]:
    """The API served over PgBouncer, signing in people and a monitoring client by token."""
    config = IssuerConfig(
        issuer=issuer.issuer,
        audience="catalog-api",
        role_map={"catalog-contributors": "CONTRIBUTOR"},
        machine_clients={"monitoring": ("SUPPORT_AGENT",)},
    )
    settings = pooled_settings(
        databases,
        oidc_issuers=(config,),
        anonymous_read=False,
        feedback_rate_limit="1000/minute",  # the many clients below are one person
    )
    viewer = issuer.token(sub="viewer-1", name="Dana", groups=["catalog-contributors"])
    monitoring = issuer.token(sub="svc-monitoring", azp="monitoring")
    app = create_app(settings, database_url=databases.bounced)
    async with served_in_loop(app) as host:
        yield Api(
            app,
            Running(app, host),
            viewer={"Authorization": f"Bearer {viewer}"},
            monitoring={"Authorization": f"Bearer {monitoring}"},
        )


async def data(
    api: Api,
    document: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=api.running.url) as client:
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": variables or {}},
            headers=headers or api.viewer,
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    answered: dict[str, Any] = body["data"]
    return answered


async def direct_value(databases: Databases, sql: str, **parameters: Any) -> Any:
    engine = make_engine(databases.direct)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text(sql), parameters)
    finally:
        await engine.dispose()


async def test_an_engine_without_the_pooler_setting_is_refused_by_pgbouncer(
    databases: Databases,
) -> None:
    engine = make_engine(databases.bounced)
    try:
        with pytest.raises(DBAPIError, match="unsupported startup parameter"):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


async def test_every_server_connection_runs_with_the_settings_the_app_wants(api: Api) -> None:
    engine: AsyncEngine = api.app.state.engine
    query = text(
        "SELECT current_setting('random_page_cost'), current_setting('TimeZone'),"
        " current_setting('application_name'),"
        " (SELECT setting FROM pg_settings WHERE name = 'statement_timeout')"
    )

    async def settings_seen() -> tuple[Any, ...]:
        async with engine.connect() as connection:
            row = (await connection.execute(query)).one()
            await asyncio.sleep(0.05)  # keep this server connection while the others ask
            return tuple(row)

    seen = await asyncio.gather(*(settings_seen() for _ in range(POOL_SIZE * 2)))

    assert set(seen) == {("1.1", "UTC", "service-catalog", str(STATEMENT_TIMEOUT_MS))}


async def test_queries_answer_through_pgbouncer_on_both_read_paths_compared(api: Api) -> None:
    # CATALOG_READ_PATH=verify (tests/conftest.py): the compiled statement and the resolvers
    # both answer, and must agree.
    assert api.app.state.settings.read_path is ReadPath.VERIFY

    body = await data(api, SERVICES)

    assert body == {
        "services": {
            "totalCount": 2,
            "nodes": [{"slug": "billing", "tier": "TIER_2"}, {"slug": "portal", "tier": "TIER_1"}],
        }
    }


async def test_the_compiled_read_path_alone_answers_through_pgbouncer(
    databases: Databases,
) -> None:
    # Compiled only, a query reads on a connection of its own outside any transaction.
    settings = pooled_settings(databases, read_path=ReadPath.COMPILED, dev_roles="VIEWER")
    app = create_app(settings, database_url=databases.bounced, dev_token=DEV_TOKEN)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post(
                "/graphql",
                json={"query": SERVICE, "variables": {"slug": "portal"}},
                headers=DEV_AUTHORIZATION,
            )

    assert response.json()["data"] == {
        "service": {"slug": "portal", "name": "Portal", "tier": "TIER_1"}
    }


async def test_a_bearer_token_signs_its_person_in_through_pgbouncer(api: Api) -> None:
    body = await data(api, "{ viewer { person { displayName } } }")

    assert body == {"viewer": {"person": {"displayName": "Dana"}}}


def _incident(databases: Databases, title: str) -> dict[str, Any]:
    return {
        "input": {
            "source": "MONITORING",
            "alertKey": f"alert-{uuid.uuid4().hex[:8]}",
            "title": title,
            "severity": "SEV2",
            "serviceIds": [databases.portal_id],
        }
    }


async def test_a_mutation_commits_through_pgbouncer(api: Api, databases: Databases) -> None:
    title = f"portal is down {uuid.uuid4().hex[:6]}"

    body = await data(api, REPORT, _incident(databases, title), headers=api.monitoring)

    assert body == {
        "reportIncident": {"incident": {"title": title, "status": "DETECTED"}, "userErrors": []}
    }
    stored = await direct_value(
        databases, "SELECT count(*) FROM incident WHERE title = :t", t=title
    )
    assert stored == 1


async def test_a_subscriber_hears_a_mutation_over_a_direct_listen(
    api: Api, databases: Databases
) -> None:
    title = f"portal is slow {uuid.uuid4().hex[:6]}"

    async with subscribed(api.running, api.viewer) as websocket:
        await subscribe(websocket, "incidents", INCIDENTS, {})
        await api.running.subscribers(1)
        await data(api, REPORT, _incident(databases, title), headers=api.monitoring)
        delivered = await receive(websocket)

    assert delivered["payload"]["data"]["incidentChanged"]["title"] == title


async def test_feedback_with_an_idempotency_key_is_stored_once(
    api: Api, databases: Databases
) -> None:
    title = f"Dark mode {uuid.uuid4().hex[:6]}"
    submission = {"service": "portal", "kind": "IDEA", "title": title, "body": "Please"}
    headers = {**api.viewer, "Idempotency-Key": f"k-{uuid.uuid4().hex}"}

    async with httpx.AsyncClient(base_url=api.running.url) as client:
        first = await client.post("/api/feedback", json=submission, headers=headers)
        second = await client.post("/api/feedback", json=submission, headers=headers)

    assert first.status_code == second.status_code == 201, first.text
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    stored = await direct_value(
        databases, "SELECT count(*) FROM feedback WHERE title = :t", t=title
    )
    assert stored == 1


async def test_many_clients_through_a_small_pool_get_their_own_answers(
    api: Api, databases: Databases
) -> None:
    slugs = ("portal", "billing")

    async def client_session(index: int) -> tuple[Any, int]:
        slug = slugs[index % 2]
        read = await data(api, SERVICE, {"slug": slug})
        async with httpx.AsyncClient(base_url=api.running.url) as client:
            written = await client.post(
                "/api/feedback",
                json={"service": slug, "kind": "IDEA", "title": f"load {index}", "body": "."},
                headers={**api.viewer, "Idempotency-Key": f"load-{uuid.uuid4().hex}"},
            )
        return read, written.status_code

    outcomes = await asyncio.gather(*(client_session(index) for index in range(CLIENTS)))

    for index, (read, status) in enumerate(outcomes):
        assert read["service"]["slug"] == slugs[index % 2], read
        assert status == 201
    assert (
        await direct_value(databases, "SELECT count(*) FROM feedback WHERE title LIKE 'load %'")
        == CLIENTS
    )
    # PgBouncer held to its pool; and no prepared statement stays on its server connections.
    servers = await direct_value(
        databases,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
        " AND application_name <> 'service-catalog listener'",
        name=databases.name,
    )
    assert 0 < servers <= POOL_SIZE
    async with api.app.state.engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0


def _starting_now(name: str, run: Any) -> Job:
    """An hourly job whose slot started a moment ago (a second to start it)."""
    every = timedelta(hours=1)
    offset = (datetime.now(UTC) - EPOCH) % every - timedelta(seconds=0.05)
    return Job(name, every=every, offset=offset, grace=timedelta(seconds=1), run=run)


async def test_the_worker_runs_a_scheduled_slot_once_through_pgbouncer(
    databases: Databases,
) -> None:
    settings = pooled_settings(databases)
    summaries: list[str] = []

    async def clock_events(context: JobContext) -> str:
        summary = await JOBS["clock-events"].run(context)
        summaries.append(summary)
        return summary

    job = _starting_now("pgbouncer-clock-events", clock_events)
    async with (
        job_context(settings, databases.bounced) as first,
        job_context(settings, databases.bounced) as second,
    ):
        schedulers = [Scheduler(first, [job]), Scheduler(second, [job])]
        workers = [asyncio.create_task(run_jobs_and_deliveries(each)) for each in schedulers]
        # Past the slot's start window (1 s) nobody may start it any more.
        await asyncio.sleep(1.5)
        for each in schedulers:
            each.stop.set()
        await asyncio.wait_for(asyncio.gather(*workers), timeout=30)

    assert len(summaries) == 1


async def test_running_jobs_leave_pgbouncer_its_server_connections(
    databases: Databases,
) -> None:
    """A job's advisory lock is held in a transaction for its whole run: more jobs running
    than PgBouncer has server connections must not stall everyone else's statements."""
    settings = pooled_settings(databases)
    started: list[str] = []
    all_started, release = asyncio.Event(), asyncio.Event()

    async def waits(context: JobContext) -> str:
        started.append("started")
        if len(started) == len(jobs):
            all_started.set()
        await release.wait()
        return "released"

    jobs = [_starting_now(f"pgbouncer-long-job-{n}", waits) for n in range(POOL_SIZE + 1)]
    other = make_engine(databases.bounced, **settings.pool_options)
    async with job_context(settings, databases.bounced) as context:
        scheduler = Scheduler(context, jobs)
        worker = asyncio.create_task(scheduler.run())
        try:
            await asyncio.wait_for(all_started.wait(), timeout=30)
            async with asyncio.timeout(5), other.connect() as connection:
                assert await connection.scalar(text("SELECT 1")) == 1
        finally:
            release.set()
            scheduler.stop.set()
            await asyncio.wait_for(worker, timeout=30)
            await other.dispose()


async def test_an_export_reads_one_snapshot_through_pgbouncer(
    databases: Databases, tmp_path: Path
) -> None:
    target = tmp_path / "catalog.jsonl"

    await export_database(databases.bounced, target)

    records = [json.loads(line) for line in target.read_text().splitlines()]
    slugs = {
        record["row"]["slug"]
        for record in records
        if record.get("table") == "service" and "row" in record
    }
    assert slugs == {"portal", "billing"}


async def test_the_api_warns_of_a_pgbouncer_that_leaves_a_setting_out(
    server_url: str, databases: Databases, caplog: pytest.LogCaptureFixture
) -> None:
    # This PgBouncer's connect_query sets random_page_cost but no statement_timeout.
    with pgbouncer(server_url, pool_size=1) as other:
        bounced = database.with_database(other, databases.name)
        settings = pooled_settings(databases, database_url=bounced)
        app = create_app(settings, database_url=bounced)
        with caplog.at_level(logging.WARNING, logger="core.db_pooler"):
            async with lifespan(app):
                pass

    assert [
        record.getMessage() for record in caplog.records if record.name == "core.db_pooler"
    ] == [
        "through the transaction pooler, statement_timeout is '0', not '60000': set them in its"
        " connect_query or with ALTER ROLE ... SET (docs/deploying-with-pgbouncer.md)"
    ]


def _cli(
    databases: Databases, *args: str, direct: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`service-catalog ARGS` configured as an operator behind PgBouncer would."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env |= {
        "CATALOG_DATABASE_URL": databases.bounced,
        "CATALOG_DATABASE_POOLER": "pgbouncer-transaction",
        "CATALOG_DATABASE_DIRECT_URL": direct or databases.direct,
    }
    return subprocess.run(
        [str(COMMAND), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_cli_migrates_directly_and_runs_a_job_through_pgbouncer(databases: Databases) -> None:
    missing = f"{databases.name}_missing"
    elsewhere = _cli(databases, "migrate", direct=database.with_database(databases.direct, missing))
    ran = _cli(databases, "worker", "--once", "clock-events")

    # Pointed at a database that does not exist, `migrate` fails there: it connects directly.
    assert elsewhere.returncode != 0
    assert f'database "{missing}" does not exist' in elsewhere.stderr
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("clock-events: ")
