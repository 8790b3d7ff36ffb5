"""The demo organisation in a database of its own, served to schemathesis as ADMIN and anonymous.

`seed --demo` runs once per session into a clone of the migrated template, so what the
fuzzed mutations commit stays there. The knobs of a longer run are in harness.KNOBS;
CATALOG_FUZZ_REPORT names a JSON file for the runs' figures. The tests are marked `fuzz`
(`pytest -m "not fuzz"` leaves them out of a quick local run; CI runs them).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from fastapi import FastAPI
from schemathesis.python.asgi import shutdown_lifespans

from server.app import create_app
from server.demo import seed_demo
from tests import database
from tests.fuzz import harness
from tests.identity.idp import TestIssuer, free_port


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: fuzzing against the app over the demo (tests/fuzz)")


@pytest.fixture(scope="session")
def fuzz_issuer() -> Iterator[TestIssuer]:
    issuer = TestIssuer()
    issuer.start()
    yield issuer
    issuer.stop()


@pytest.fixture(scope="session")
async def demo_database(server_url: str, template: str) -> AsyncIterator[str]:
    """A clone of the migrated template with the demo organisation loaded (~12 s)."""
    name = await database.clone(server_url, template, prefix="sc_fuzz")
    url = database.with_database(server_url, name)
    await seed_demo(url)
    yield url
    await database.drop(server_url, name)


@pytest.fixture(scope="session")
async def demo_values(demo_database: str) -> harness.DemoValues:
    return await harness.demo_values(demo_database)


class _Uvicorn:
    """The app served over loopback in a thread, as `serve` would (the longer bench run)."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> _Uvicorn:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@dataclass
class Target:
    """Where the cases go: the app in process (schemathesis' ASGI transport) or a URL."""

    app: FastAPI
    url: str | None

    def graphql(self, config: schemathesis.Config, headers: dict[str, str]) -> Any:
        if self.url is None:
            return schemathesis.graphql.from_asgi(
                "/graphql", self.app, config=config, headers=headers
            )
        return schemathesis.graphql.from_url(f"{self.url}/graphql", config=config, headers=headers)

    def openapi(self, config: schemathesis.Config) -> Any:
        if self.url is None:
            return schemathesis.openapi.from_asgi("/openapi.json", self.app, config=config)
        return schemathesis.openapi.from_url(f"{self.url}/openapi.json", config=config)


@pytest.fixture(scope="session")
def fuzz_target(demo_database: str, fuzz_issuer: TestIssuer) -> Iterator[Target]:
    app = create_app(harness.fuzz_settings(fuzz_issuer), database_url=demo_database)
    if harness.KNOBS.http:
        with _Uvicorn(app) as server:
            yield Target(app, server.url)
        return
    yield Target(app, None)
    shutdown_lifespans()  # schemathesis keeps an ASGI app's lifespan running until then


@pytest.fixture(scope="session")
def admin_headers(fuzz_issuer: TestIssuer) -> dict[str, str]:
    return harness.admin_headers(fuzz_issuer)


@pytest.fixture(scope="session")
def fuzz_runs() -> Iterator[dict[str, harness.Run]]:
    runs: dict[str, harness.Run] = {}
    yield runs
    report = os.environ.get("CATALOG_FUZZ_REPORT")
    if report:
        summaries = [run.summary() for run in runs.values()]
        Path(report).write_text(json.dumps(summaries, indent=2) + "\n")


@pytest.fixture
def fuzz_run(request: pytest.FixtureRequest, fuzz_runs: dict[str, harness.Run]) -> harness.Run:
    """The run this test's operations belong to, its clock started at its first operation."""
    name = request.node.originalname.removeprefix("test_")
    if name not in fuzz_runs:
        fuzz_runs[name] = harness.Run(name, seconds=harness.KNOBS.seconds)
    return fuzz_runs[name]


@pytest.fixture(scope="session")
def graphql_api(
    fuzz_target: Target, demo_values: harness.DemoValues, admin_headers: dict[str, str]
) -> Any:
    """The GraphQL schema by introspection (as ADMIN: it may be closed to anonymous callers)."""
    return fuzz_target.graphql(demo_values.graphql_config(), admin_headers)


@pytest.fixture(scope="session")
def rest_api(fuzz_target: Target, demo_values: harness.DemoValues) -> Any:
    return fuzz_target.openapi(demo_values.rest_config())
