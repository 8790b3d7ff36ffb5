"""The whole app served by uvicorn on a free loopback port, for tests that need a real
socket (a browser, a websocket client, a compliance suite)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn
from starlette.types import ASGIApp

from tests.identity.idp import free_port

START_S = 10


@contextmanager
def served_in_thread(app: ASGIApp) -> Iterator[str]:
    """Served from a thread of its own, for synchronous clients: its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_S
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_S)


@asynccontextmanager
async def served_in_loop(app: ASGIApp) -> AsyncIterator[str]:
    """Served from the test's own event loop (the app may share its engine): host:port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + START_S
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        assert not task.done(), "uvicorn stopped while starting"
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=START_S)
