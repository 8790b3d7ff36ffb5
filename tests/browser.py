"""Headless Chromium (Debian's, driven by Playwright) that can reach loopback only.

Every host name resolves to nothing and any other traffic goes to a closed port, so a page
that needed something from another host would fail; each context also records every URL
its pages asked for, to show that none left loopback. No browser is downloaded: Playwright
drives the `chromium` on the PATH, and the tests that need it are skipped without one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Request, sync_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
LOOPBACK_ONLY = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
)
# Within a page (inline data, object URLs): no traffic at all.
LOCAL_SCHEMES = ("data", "blob", "about")
TIMEOUT_MS = 15_000


@contextmanager
def loopback_browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*LOOPBACK_ONLY, "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            browser.close()


class Asked(NamedTuple):
    """A request a page made: its URL, and the URL of the page then."""

    url: str
    page: str


@contextmanager
def recorded_context(browser: Browser) -> Iterator[tuple[BrowserContext, list[Asked]]]:
    """A fresh context (no cookies) and the list of every request its pages make."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    requested: list[Asked] = []

    def record(request: Request) -> None:
        requested.append(Asked(request.url, request.frame.url))

    context.on("request", record)
    try:
        yield context, requested
    finally:
        context.close()


def urls(requested: list[Asked]) -> list[str]:
    return [asked.url for asked in requested]


def off_loopback(requested: list[Asked]) -> list[Asked]:
    """The requests that would have left this machine (and were refused)."""
    return [
        asked
        for asked in requested
        if urlsplit(asked.url).scheme not in LOCAL_SCHEMES
        and urlsplit(asked.url).hostname != "127.0.0.1"
    ]
