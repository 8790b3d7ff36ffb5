"""Real receivers for notification tests: an HTTP endpoint and an SMTP server on loopback.

`HttpReceiver` records every request and answers as told per path (a status, headers, a
delay); `stop()` takes it down so connections are refused, `start()` brings it back on the
same port. `SmtpCapture` is an aiosmtpd server keeping every message it accepts, refusing
the addresses it is told to.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.requests import Request
from starlette.responses import Response

from tests.identity.idp import free_port

START_S = 10


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived


@dataclass(frozen=True)
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


class HttpReceiver:
    """Use as `async with HttpReceiver() as receiver`; `receiver.url("/hook")` to send to."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.answers: dict[str, Answer] = {}
        self._arrived = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, status: int = 204, delay_s: float = 0.0, **headers: str) -> None:
        self.answers[path] = Answer(
            status, {k.replace("_", "-"): v for k, v in headers.items()}, delay_s
        )

    async def wait_for(self, count: int, timeout_s: float) -> None:
        """Until `count` requests have arrived in all (TimeoutError after `timeout_s`)."""
        async with asyncio.timeout(timeout_s):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()

    def at(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    async def _app(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        body = await request.body()
        self.received.append(
            Received(request.url.path, dict(request.headers), body, time.monotonic())
        )
        self._arrived.set()
        answer = self.answers.get(request.url.path, Answer())
        if answer.delay_s:
            await asyncio.sleep(answer.delay_s)
        await Response(status_code=answer.status, headers=answer.headers)(scope, receive, send)

    async def start(self) -> None:
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            log_level="warning",
            lifespan="off",
            interface="asgi3",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        deadline = time.monotonic() + START_S
        while not self._server.started:
            assert time.monotonic() < deadline, "the receiver did not start"
            assert not self._task.done(), "the receiver stopped while starting"
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Down: connections to its port are refused until `start()`."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await asyncio.wait_for(self._task, timeout=START_S)
        self._server = self._task = None

    async def __aenter__(self) -> HttpReceiver:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


class SmtpCapture:
    """Use as `with SmtpCapture() as smtp`; `smtp.url` is the CATALOG_SMTP_URL to give."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str | None, list[str]]] = []
        # Address -> the reply refusing it, e.g. "550 5.1.1 No such user".
        self.refuse: dict[str, str] = {}
        self._controller = Controller(self, hostname="127.0.0.1", port=free_port())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self._controller.port}"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def __enter__(self) -> SmtpCapture:
        self._controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._controller.stop()
