"""An app, once stopped and dropped, is freed with everything it built.

A process that builds many apps (a test run builds thousands) must not keep them: each
holds a schema of ~25,000 objects. Kept by a closure in FastAPI's module-level cache of
endpoints, they grew a test worker's heap by ~4 MiB a test, and the garbage collector's
full passes over it held the event loop for up to 12 s, long enough to expire the 1 s
Salesforce deadlines of the tests running at the time.
"""

from __future__ import annotations

import gc
import weakref

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings
from server.app import create_app
from server.heap import freeze_startup_objects
from tests.dev_token import DEV_TOKEN
from tests.lifespan import developer_client

REQUESTS = (
    ("POST", "/graphql", {"query": "{ services(first: 1) { totalCount } }"}),
    ("GET", "/graphql?query=%7B__typename%7D", None),
    ("POST", "/subgraph", {"query": "{ _service { sdl } }"}),
    ("GET", "/metrics", None),
    ("GET", "/docs", None),
    ("GET", "/openapi.json", None),
)


async def _served_and_stopped(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> tuple[weakref.ref[object], weakref.ref[object]]:
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with developer_client(app) as client:
        for method, path, body in REQUESTS:
            response = await client.request(method, path, json=body)
            assert response.status_code == 200, (path, response.text)
    return weakref.ref(app), weakref.ref(app.state.graphql_view.schema)


async def test_a_stopped_app_is_freed_with_its_schema(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # Once per process, the first app's start keeps what is alive then for good: done first.
    freeze_startup_objects()

    app, schema = await _served_and_stopped(settings, engine, sessionmaker)
    gc.collect()

    assert app() is None
    assert schema() is None
