"""GraphiQL and `/docs` from installed files: nothing from another host, a strict CSP; in a
browser that reaches loopback only, each draws and runs a request."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import make_engine, make_sessionmaker
from core.settings import Settings, load_settings
from server.app import create_app
from server.dev_sign_in import SIGN_IN_PATH
from tests.browser import (
    CHROMIUM,
    LOOPBACK_ONLY,
    loopback_browser,
    needs_chromium,
    off_loopback,
    recorded_context,
    urls,
)
from tests.builders.catalog import create_service
from tests.dev_token import DEV_TOKEN
from tests.lifespan import lifespan
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
    async with lifespan(app) as manager:
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
            *LOOPBACK_ONLY,
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


# The README's first query, run from GraphiQL, and an operation of /docs run with "Try it
# out": each answered by the app, with nothing requested from any other host.

README = Path(__file__).parents[2] / "README.md"
SERVICE = {"slug": "quote-to-cash", "name": "Quote to Cash"}


def _first_readme_query() -> str:
    found = re.search(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert found is not None, "README.md shows no GraphQL query"
    return found.group(1)


@pytest.fixture
async def seeded_database(fresh_database: str) -> str:
    """A database of its own holding one service, committed for the served app to read."""
    engine = make_engine(fresh_database)
    try:
        async with make_sessionmaker(engine)() as session:
            await create_service(session, slug=SERVICE["slug"], name=SERVICE["name"])
            await session.commit()
    finally:
        await engine.dispose()
    return fresh_database


@pytest.fixture
def served_catalog(seeded_database: str) -> Iterator[str]:
    """The whole app on that database on a free port: dev, with the development sign-in
    `serve` prints, and anonymous feedback."""
    settings = load_settings(database_url=seeded_database, anonymous_feedback=True, _env_file=None)
    with served_in_thread(create_app(settings, dev_token=DEV_TOKEN)) as url:
        yield url


# All of a CodeMirror editor's text (it draws only the lines in view).
_EDITOR_VALUE = "document.querySelector('%s .CodeMirror').CodeMirror.getValue()"


def _editor_text(page: Page, selector: str) -> str:
    text: str = page.evaluate(_EDITOR_VALUE % selector)
    return text


@needs_chromium
def test_graphiql_runs_the_readme_query_with_no_network(served_catalog: str) -> None:
    query = _first_readme_query()
    with loopback_browser() as browser, recorded_context(browser) as (context, requested):
        page = context.new_page()
        # As the README says: open the `Development sign-in` URL, which lands on GraphiQL.
        page.goto(f"{served_catalog}{SIGN_IN_PATH}?token={DEV_TOKEN}")
        assert page.url == f"{served_catalog}/graphql"
        editor = page.locator(".graphiql-query-editor .CodeMirror").first
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(query)
        assert _editor_text(page, ".graphiql-query-editor") == query
        page.keyboard.press("Control+Enter")
        page.wait_for_function(f"() => {_EDITOR_VALUE % '.graphiql-response'} !== ''")
        result = json.loads(_editor_text(page, ".graphiql-response"))

    assert "errors" not in result, result
    services = result["data"]["services"]
    assert services["totalCount"] == 1
    node = services["edges"][0]["node"]
    assert {"slug": node["slug"], "name": node["name"]} == SERVICE
    assert node["ownerTeam"]["businessUnit"]["name"]
    assert off_loopback(requested) == []
    assert f"{served_catalog}/graphql" in urls(requested)


@needs_chromium
def test_docs_run_an_operation_with_try_it_out_and_no_network(served_catalog: str) -> None:
    submission = {
        "service": SERVICE["slug"],
        "kind": "IDEA",
        "title": "Export to CSV",
        "body": "Sent from /docs.",
        "contactEmail": "reader@example.test",
    }
    with loopback_browser() as browser, recorded_context(browser) as (context, requested):
        page = context.new_page()
        page.goto(f"{served_catalog}/docs")
        operation = page.locator("#operations-feedback-submit_feedback_api_feedback_post")
        operation.locator(".opblock-summary").first.click()
        operation.get_by_role("button", name="Try it out").click()
        operation.locator("textarea.body-param__text").fill(json.dumps(submission))
        operation.get_by_role("button", name="Execute").click()
        answer = operation.locator(".live-responses-table .response").first
        answer.locator(".response-col_status").wait_for()
        status = answer.locator(".response-col_status").inner_text()
        body = json.loads(answer.locator(".response-col_description pre").first.inner_text())

    assert status.strip() == "201", body
    assert set(body) == {"id", "status"}, body
    assert off_loopback(requested) == []
    assert f"{served_catalog}/api/feedback" in urls(requested)
