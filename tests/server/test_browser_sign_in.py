"""A browser app on another loopback port: the person signs in through the IdP, then the
app's page queries /graphql with credentials (CORS for the listed origin, the session
cookie sent because both are the same site); a page on an unlisted origin reads nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import BrowserContext

from core.oidc_settings import IssuerConfig, LoginClient
from core.settings import load_settings
from identity.login.sessions import COOKIE_NAME
from server.app import create_app
from tests.browser import (
    Asked,
    loopback_browser,
    needs_chromium,
    off_loopback,
    recorded_context,
    urls,
)
from tests.identity.idp import free_port
from tests.serving import served_in_thread

pytestmark = needs_chromium

ALICE = {"email": "alice@example.com", "email_verified": True, "name": "Alice Martin"}
VIEWER = "{ viewer { person { displayName email } } }"
PENDING = "pending"
# What the other app's page does: one credentialed POST, its outcome written into the page.
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other app</title>
</head><body><pre id="result">pending</pre><script>
fetch(%(endpoint)s, {
  method: "POST",
  credentials: "include",
  headers: {"content-type": "application/json"},
  body: JSON.stringify({query: %(query)s}),
})
  .then(function (response) { return response.json(); })
  .then(function (body) { document.getElementById("result").textContent = JSON.stringify(body); })
  .catch(function (error) {
    document.getElementById("result").textContent = "refused: " + error.name;
  });
</script></body></html>"""


@contextmanager
def _page_server(port: int, html: str) -> Iterator[str]:
    """One HTML page served at `/` on `port` of loopback (the other app): its origin."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """oidc-provider-mock on loopback; its issuer spelt as the browser and the app reach it."""
    with run_server_in_thread() as server:
        assert server.server_address[0] == "127.0.0.1"
        issuer = f"http://127.0.0.1:{server.server_port}"
        httpx.put(f"{issuer}/users/alice", json=ALICE).raise_for_status()
        yield issuer


@pytest.fixture
def listed_port() -> int:
    return free_port()


@pytest.fixture
def served_app(provider: str, fresh_database: str, listed_port: int) -> Iterator[str]:
    """The app (no anonymous reads) with browser sign-in at the provider, and CORS for the
    other app's origin: same host, another port."""
    issuer = IssuerConfig(
        issuer=provider,
        audience="catalog-api",
        login=LoginClient(client_id="catalog-web", client_secret="web-secret"),
    )
    settings = load_settings(
        database_url=fresh_database,
        oidc_issuers=(issuer,),
        anonymous_read=False,
        session_secret="s" * 40,
        cors_origins=f"http://127.0.0.1:{listed_port}",
        _env_file=None,
    )
    with served_in_thread(create_app(settings)) as url:
        yield url


def _other_app(app: str) -> str:
    return PAGE % {"endpoint": json.dumps(f"{app}/graphql"), "query": json.dumps(VIEWER)}


def _outside_the_idp(requested: list[Asked], provider: str) -> list[Asked]:
    """What left loopback, but for the mock IdP's own page (it links a stylesheet on a CDN,
    which the blocked network refuses; the page works without it)."""
    return [asked for asked in off_loopback(requested) if not asked.page.startswith(provider)]


def _sign_in(context: BrowserContext, app: str, subject: str) -> None:
    """What the person does: open the app's sign-in, type their subject at the IdP."""
    page = context.new_page()
    page.goto(f"{app}/auth/login?next=/graphql")
    page.locator('input[name="sub"]').fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app}/graphql")
    page.close()


def _outcome(context: BrowserContext, origin: str) -> str:
    """What the other app's page at `origin` wrote once its fetch settled."""
    page = context.new_page()
    page.goto(origin)
    result = page.locator("#result")
    page.wait_for_function(
        "pending => document.getElementById('result').textContent !== pending", arg=PENDING
    )
    text = result.inner_text()
    page.close()
    return text


# Playwright's sync API holds the thread's event loop while a browser is open, so each test
# opens its own once the (async) database fixtures are done.


def test_a_page_on_a_listed_origin_queries_as_the_signed_in_person(
    served_app: str, listed_port: int, provider: str
) -> None:
    with (
        _page_server(listed_port, _other_app(served_app)) as origin,
        loopback_browser() as browser,
        recorded_context(browser) as (context, requested),
    ):
        before = json.loads(_outcome(context, origin))
        _sign_in(context, served_app, "alice")
        cookies = {cookie["name"]: cookie for cookie in context.cookies(served_app)}
        after = json.loads(_outcome(context, origin))

    # Readable from the start (CORS), but anonymous until the person signs in.
    assert before["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", before
    assert cookies[COOKIE_NAME]["sameSite"] == "Lax"
    assert cookies[COOKIE_NAME]["httpOnly"] is True
    assert "errors" not in after, after
    assert after["data"]["viewer"]["person"] == {
        "displayName": "Alice Martin",
        "email": "alice@example.com",
    }
    assert _outside_the_idp(requested, provider) == []
    assert any(url.startswith(f"{provider}/oauth2/authorize") for url in urls(requested))


def test_a_page_on_an_unlisted_origin_cannot_read_the_answer(
    served_app: str, provider: str
) -> None:
    with (
        _page_server(free_port(), _other_app(served_app)) as origin,
        loopback_browser() as browser,
        recorded_context(browser) as (context, requested),
    ):
        _sign_in(context, served_app, "alice")
        outcome = _outcome(context, origin)

    assert outcome == "refused: TypeError"
    assert _outside_the_idp(requested, provider) == []
    assert f"{served_app}/graphql" in urls(requested)
