"""A fake Microsoft Graph (and Entra ID token endpoint) over HTTPS on loopback, trusted
through a trustme CA: what the group-overage lookup talks to in tests."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import trustme
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.identity.idp import free_port

APP_TOKEN = "graph-app-token-7d1e"


class FakeGraph:
    """Answers getMemberObjects from `groups` (by user object id); `mode` breaks it."""

    __test__ = False

    def __init__(self, ca: trustme.CA, folder: Path) -> None:
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.groups: dict[str, list[str]] = {}
        self.mode = "ok"  # or "error", "slow"
        self.token_requests: list[dict[str, Any]] = []
        self.member_requests: list[tuple[str, str | None, Any]] = []
        leaf = ca.issue_cert("127.0.0.1")
        self._cert, self._key = folder / "graph.pem", folder / "graph.key"
        leaf.cert_chain_pems[0].write_to_path(str(self._cert))
        leaf.private_key_pem.write_to_path(str(self._key))
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def _app(self) -> Starlette:
        async def token(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode()))
            self.token_requests.append({"tenant": request.path_params["tenant"], **form})
            return JSONResponse({"access_token": APP_TOKEN, "expires_in": 3600})

        async def member_objects(request: Request) -> JSONResponse:
            body = await request.json()
            user = request.path_params["user"]
            self.member_requests.append((user, request.headers.get("authorization"), body))
            if self.mode == "slow":
                await asyncio.sleep(5)
            if (
                self.mode == "error"
                or request.headers.get("authorization") != f"Bearer {APP_TOKEN}"
            ):
                return JSONResponse({"error": {"code": "Authorization_RequestDenied"}}, 403)
            return JSONResponse({"value": self.groups.get(user, [])})

        return Starlette(
            routes=[
                Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
                Route("/v1.0/users/{user}/getMemberObjects", member_objects, methods=["POST"]),
            ]
        )

    def start(self) -> FakeGraph:
        config = uvicorn.Config(
            self._app(),
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            ssl_certfile=str(self._cert),
            ssl_keyfile=str(self._key),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake Graph did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
