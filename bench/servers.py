"""The ASGI apps uvicorn serves: the product as shipped, and the raw reference routes.

`uvicorn --factory bench.servers:api_app` builds the product exactly as `serve` does in
development (the development identity for the holder of `BENCH_DEV_TOKEN`, errors
unmasked), reading its database from `CATALOG_DATABASE_URL`. `bench.servers:raw_app`
answers the same JSON from hand-written asyncpg (reference A), plus the W0 calibration
routes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from fastapi import FastAPI, Request
from starlette.responses import Response

from bench.reference import ReferenceA, create_pool, gid
from core.settings import load_settings
from server.app import create_app
from server.cli import configure_logs

JSON = "application/json"

INSERT_SERVICE = """INSERT INTO service
  (slug, name, owner_team_id, tier, lifecycle, salesforce_key, data_classification)
VALUES ($1, $2, $3, $4, 'PLANNED', $1, 'INTERNAL')
RETURNING slug, name, tier, lifecycle, version"""


INSERT_FEEDBACK = """INSERT INTO feedback (service_id, kind, title, body, channel, status)
SELECT id, $2, $3, $4, 'API', 'NEW' FROM service WHERE slug = $1
RETURNING id, status"""


def api_app() -> FastAPI:
    configure_logs()  # as `serve` does: JSON lines (no terminal), CATALOG_LOG_LEVEL
    return create_app(load_settings(), dev_token=os.environ.get("BENCH_DEV_TOKEN"))


def raw_app() -> FastAPI:
    dsn = os.environ["CATALOG_DATABASE_URL"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await create_pool(dsn, size=10)
        app.state.pool = pool
        app.state.reference = ReferenceA(pool, os.environ.get("BENCH_CURSOR_STAMP", ""))
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/bare")
    async def bare() -> Response:
        return Response(b'{"ok":true}', media_type=JSON)

    @app.get("/one-row")
    async def one_row(request: Request) -> Response:
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire() as connection:
            row = await connection.fetchrow("SELECT 1 AS one")
        return Response(orjson.dumps({"one": row["one"]}), media_type=JSON)

    @app.get("/raw/services")
    async def services(request: Request, first: int = 20, after: str | None = None) -> Response:
        return Response(await request.app.state.reference.page(first, after), media_type=JSON)

    @app.get("/raw/service")
    async def service(request: Request, slug: str) -> Response:
        return Response(await request.app.state.reference.service(slug), media_type=JSON)

    @app.post("/raw/feedback", status_code=201)
    async def feedback(request: Request) -> Response:
        given: dict[str, Any] = orjson.loads(await request.body())
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire() as connection:
            row = await connection.fetchrow(
                INSERT_FEEDBACK, given["service"], given["kind"], given["title"], given["body"]
            )
        payload = {"id": gid("Feedback", row["id"]), "status": row["status"]}
        return Response(orjson.dumps(payload), status_code=201, media_type=JSON)

    @app.post("/raw/services")
    async def create(request: Request) -> Response:
        given: dict[str, Any] = orjson.loads(await request.body())
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire() as connection:
            row = await connection.fetchrow(
                INSERT_SERVICE,
                given["slug"],
                given["name"],
                uuid.UUID(given["ownerTeamId"]),
                given["tier"],
            )
        payload = {"service": dict(row), "userErrors": []}
        return Response(orjson.dumps({"data": {"createService": payload}}), media_type=JSON)

    return app
