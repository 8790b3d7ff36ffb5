"""R3 over the whole HTTP path: every round trip one request makes to PostgreSQL, by kind.

The product app runs in process (ASGI, the development token sent as on the benchmark
server, so the development identity applies) with listeners on its engine and pool.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
from sqlalchemy import event

from bench.load import Request
from bench.processes import DEV_COOKIE, DEV_TOKEN, JSON_HEADERS
from bench.subject import is_overhead
from core.db import make_engine
from core.settings import load_settings
from server.app import create_app


def _kind(sql: str) -> str:
    flat = " ".join(sql.split()).lower()
    if "person.issuer =" in flat:
        return "identity"
    if is_overhead(flat):
        return "transaction_setup"
    return "domain"


async def count(database_url: str, requests: dict[str, Request]) -> dict[str, dict[str, int]]:
    settings = load_settings(database_url=database_url, _env_file=None)
    engine = make_engine(database_url, statement_timeout_ms=settings.statement_timeout_ms)
    seen: Counter[str] = Counter()
    sync = engine.sync_engine

    def statement(*args: Any) -> None:
        seen[_kind(args[2])] += 1

    def transaction(*_: Any) -> None:
        seen["begin_commit_rollback"] += 1

    def checkout(*_: Any) -> None:
        if getattr(sync.pool, "_pre_ping", False):
            seen["pool_pre_ping"] += 1

    event.listen(sync, "before_cursor_execute", statement)
    for name in ("begin", "commit", "rollback"):
        event.listen(sync, name, transaction)
    event.listen(sync.pool, "checkout", checkout)
    app = create_app(settings, engine=engine, dev_token=DEV_TOKEN)
    found: dict[str, dict[str, int]] = {}
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers={"cookie": DEV_COOKIE}
            ) as client:
                for name, request in requests.items():
                    for _ in range(2):  # the first may provision the development person
                        seen.clear()
                        if request.body is None:
                            response = await client.get(request.path)
                        else:
                            response = await client.post(
                                request.path,
                                content=request.body,
                                headers=JSON_HEADERS,
                            )
                        response.raise_for_status()
                    counts = dict(seen)
                    counts["total_round_trips"] = sum(seen.values())
                    found[name] = counts
    finally:
        await engine.dispose()
    return found
