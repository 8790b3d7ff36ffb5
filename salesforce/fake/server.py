"""A fake Salesforce over real HTTPS: one server, any number of orgs told apart by token.

Tests and the demo point simple-salesforce at it exactly as at a real org. Each org has
switches (`slow_s`, `failing`, `exhaust()`), the whole fake one more (`refuse_connections()`:
its port closed, as a host that is down), and every request is logged, so a test can
count the SOQL queries one GraphQL request cost.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from salesforce.fake.api import Call, FakeState, Request, handle
from salesforce.fake.auth import ConnectedApp
from salesforce.fake.org import FakeOrg
from salesforce.fake.trust import PREFIX as TRUST_PREFIX
from salesforce.fake.trust import FakeTrust

if TYPE_CHECKING:
    import trustme


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSalesforce

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout) is not an error of the fake."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def _serve(self, method: str) -> None:
        if self.server.fake.refusing:
            # A connection kept alive from before: dropped unanswered, as by a host gone down.
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=method,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        fake = self.server.fake
        if parts.path.startswith(TRUST_PREFIX + "/") and method == "GET":
            self._send(*fake.serve_trust(parts.path.removeprefix(TRUST_PREFIX), request.query))
            return
        response = handle(fake.state, request, fake.wait)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        if response.limit_info:
            self.send_header("Sforce-Limit-Info", response.limit_info)
        if response.stream is not None:
            self._send_chunked(response.stream)
            return
        # 204 No Content (an update) has no body at all.
        body = b"" if response.status == 204 else json.dumps(response.payload).encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_chunked(self, chunks: Iterator[bytes]) -> None:
        """A blob as it is made: HTTP/1.1 chunked transfer coding, never whole in memory."""
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in chunks:
            if chunk:
                self.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `FakeSalesforce.calls` instead."""


class FakeSalesforce:
    """Start with `with FakeSalesforce(ca) as fake:`; `fake.url` is its login and instance URL."""

    def __init__(self, ca: trustme.CA, *, page_size: int = 2000, port: int = 0) -> None:
        self._ca = ca
        self._port = port
        self.state = FakeState(page_size=page_size)
        self.trust = FakeTrust()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._refusing = False
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.state.base_url

    @property
    def trust_url(self) -> str:
        """The base URL of the fake Trust status API (CATALOG_SALESFORCE_TRUST_URL)."""
        return self.state.base_url + TRUST_PREFIX

    def serve_trust(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        if self.trust.slow_s > 0:
            self._stopping.wait(self.trust.slow_s)
        return self.trust.answer(path, query)

    def start(self) -> FakeSalesforce:
        self._listen()
        return self

    @property
    def refusing(self) -> bool:
        return self._refusing

    def refuse_connections(self) -> None:
        """Close the port, keeping every org and session: clients get connection refused."""
        self._refusing = True
        self._close()

    def accept_connections(self) -> None:
        """Listen again on the same port, after `refuse_connections()`."""
        if self._server is None:
            self._listen()
        self._refusing = False

    def _listen(self) -> None:
        server = _Server(("127.0.0.1", self._port), _Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        # The handshake happens in the request's own thread, never in the accept loop.
        server.socket = context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        server.fake = self
        # Bound once, the port is kept: a fake listening again is found at the same URL.
        self._port = server.server_address[1]
        self.state.base_url = f"https://127.0.0.1:{self._port}"
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._close()

    def _close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSalesforce:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def wait(self, org: FakeOrg) -> None:
        if org.slow_s > 0:
            self._stopping.wait(org.slow_s)

    # -- orgs and credentials -------------------------------------------------------

    def add_org(self, org_id: str, name: str, **options: Any) -> FakeOrg:
        org = FakeOrg(org_id, name, **options)
        with self.state.lock:
            self.state.orgs[org_id] = org
        return org

    def connect_app(self, org: FakeOrg, client_id: str, certificate_pem: bytes) -> None:
        """A connected app whose JWT bearer assertions are checked with this certificate."""
        app = ConnectedApp.from_certificate(client_id, org.org_id, certificate_pem)
        with self.state.lock:
            self.state.apps[client_id] = app

    def issue_session(self, org: FakeOrg) -> str:
        """A ready session id for `org`, as a `session_id` entry of CATALOG_SALESFORCE_ORGS."""
        return self.state.new_session(org.org_id)

    def expire_sessions(self, org: FakeOrg | None = None) -> None:
        """Every session (of `org`) is now answered with INVALID_SESSION_ID."""
        with self.state.lock:
            for token, org_id in list(self.state.sessions.items()):
                if org is None or org_id == org.org_id:
                    del self.state.sessions[token]

    # -- the request log ------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self.state.lock:
            return list(self.state.log)

    def clear_calls(self) -> None:
        with self.state.lock:
            self.state.log.clear()

    def soql(self, org: FakeOrg | None = None, object_name: str | None = None) -> list[str]:
        """The SOQL queries sent (to `org`, on `object_name`), paging calls excluded."""
        return [
            call.soql or ""
            for call in self.calls
            if call.kind == "query"
            and (org is None or call.org_id == org.org_id)
            and (object_name is None or call.object_name == object_name)
        ]

    def soql_by_object(self, org: FakeOrg) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        for call in self.calls:
            if call.kind == "query" and call.org_id == org.org_id and call.object_name:
                counts[call.object_name] = counts.get(call.object_name, 0) + 1
        return counts
