"""GraphiQL and `/docs` from installed files: nothing from another host, a strict CSP."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.settings import Settings, load_settings
from server.app import create_app
from tests.serving import served_in_thread

BROWSER = {"accept": "text/html"}
# What a browser's address bar sends.
NAVIGATION = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
REFERENCE = re.compile(r"""(?:src|href)="([^"]*)\"""")
CONTENT_TYPES = {".js": ("text/javascript", "application/javascript"), ".css": ("text/css",)}
PAGES = {"graphiql": "/graphql", "docs": "/docs"}
PAGE_DIRECTIVES = ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


@pytest.fixture
async def caller(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _page(caller: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await caller.get(path, headers=BROWSER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
async def test_each_page_references_nothing_outside_the_app(
    caller: httpx.AsyncClient, path: str
) -> None:
    response = await _page(caller, path)

    assert re.findall(r"(?:https?:)?//[^\s\"'<>]+", response.text) == []
    references = REFERENCE.findall(response.text)
    assert references
    assert all(reference.startswith("/static/") for reference in references), references


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
async def test_each_page_allows_scripts_from_the_app_only(
    caller: httpx.AsyncClient, path: str
) -> None:
    response = await _page(caller, path)

    page_policy, site_policy = response.headers.get_list("content-security-policy")
    assert all(directive in page_policy for directive in PAGE_DIRECTIVES), page_policy
    assert "unsafe-eval" not in page_policy
    assert "script-src 'self';" in page_policy + ";"  # nothing beside 'self', not even inline
    assert site_policy == "frame-ancestors 'none'"
    assert "<script>" not in response.text  # no inline script: every one has a src


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
async def test_every_asset_of_a_page_is_served_with_its_type(
    caller: httpx.AsyncClient, path: str
) -> None:
    page = await _page(caller, path)

    for reference in REFERENCE.findall(page.text):
        asset = await caller.get(reference)
        assert asset.status_code == 200, reference
        suffix = reference[reference.rfind(".") :]
        expected = CONTENT_TYPES.get(suffix, ("image/",))
        assert asset.headers["content-type"].startswith(expected), (reference, asset.headers)
        assert len(asset.content) > 0


def test_graphiql_is_on_in_dev_and_off_in_prod() -> None:
    prod = _settings(
        env="prod",
        oidc_issuers=[{"issuer": "https://idp.example", "audience": "catalog"}],
        session_secret="a-long-random-session-secret-for-tests-only",
    )

    assert (_settings().graphiql, prod.graphiql) == (True, False)
    assert _settings(env="dev", graphiql=False).graphiql is False


@pytest.mark.parametrize("settings", [_settings(graphiql=False)], ids=["no-graphiql"])
async def test_without_graphiql_a_browser_is_answered_as_any_client(
    caller: httpx.AsyncClient,
) -> None:
    html_only = await caller.get("/graphql", headers=BROWSER)
    navigation = await caller.get("/graphql", headers=NAVIGATION)
    script = await caller.get("/static/graphiql/graphiql.min.js")

    assert html_only.status_code == 406
    assert "application/json" in html_only.text
    assert (navigation.status_code, navigation.headers["content-type"]) == (400, "application/json")
    assert navigation.json()["errors"][0]["message"] == "No GraphQL query found in the request"
    assert script.status_code == 404


@pytest.mark.parametrize("settings", [_settings(graphiql=False)], ids=["no-graphiql"])
async def test_docs_are_served_without_graphiql(caller: httpx.AsyncClient) -> None:
    response = await _page(caller, "/docs")

    assert 'data-openapi-url="/openapi.json"' in response.text
    assert (await caller.get("/static/swagger-ui/swagger-ui-bundle.js")).status_code == 200


# In a real browser, with every host but loopback unreachable.

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
# What each app draws once its scripts ran and it read its schema or document.
RENDERED = {
    "/graphql": ("graphiql-container", "graphiql-query-editor", "CodeMirror"),
    "/docs": ('class="swagger-ui"', "Service Catalog", "opblock"),
}


@pytest.fixture
def served_app(fresh_database: str) -> Iterator[str]:
    """The whole app (dev: GraphiQL on, anonymous reads) on a free loopback port."""
    settings = load_settings(database_url=fresh_database, _env_file=None)
    with served_in_thread(create_app(settings)) as url:
        yield url


def _rendered_dom(url: str) -> str:
    """The page's DOM after its scripts ran, in headless Chromium that reaches only loopback."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        command = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--user-data-dir={profile}",
            # Every name resolves to nothing, and any other traffic goes to a closed port.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--proxy-server=http://127.0.0.1:9",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@needs_chromium
@pytest.mark.parametrize("path", RENDERED)
def test_each_page_renders_in_a_browser_with_no_network(served_app: str, path: str) -> None:
    dom = _rendered_dom(f"{served_app}{path}")

    missing = [marker for marker in RENDERED[path] if marker not in dom]
    assert missing == [], dom[:3000]
