"""scim2-tester's RFC 7643/7644 checks against the app served by uvicorn on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from core.oidc_settings import IssuerConfig
from core.settings import load_settings
from server.app import create_app
from tests.serving import served_in_thread

scim2_tester = pytest.importorskip("scim2_tester")
scim2_client = pytest.importorskip("scim2_client")

SCIM_TOKEN = "scim-compliance-token-3c9a0f"


class HttpxSCIMClient(scim2_client.BaseSyncSCIMClient):  # type: ignore[misc,name-defined]
    """scim2-client's network engine is written for httpx2; the same few lines over httpx."""

    def __init__(self, client: httpx.Client, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        url = self.client.build_request("GET", endpoint).url
        return (
            url.scheme == base.scheme
            and url.netloc == base.netloc
            and (url.raw_path.startswith(base.raw_path))
        )

    def _parse_json(self, response: httpx.Response) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, url, **kwargs)


@pytest.fixture
def served_app(fresh_database: str) -> Iterator[str]:
    """The whole app on a free loopback port, over its own migrated database."""
    settings = load_settings(
        database_url=fresh_database,
        oidc_issuers=(IssuerConfig(issuer="https://idp.example.test", audience="catalog-api"),),
        scim_token=SCIM_TOKEN,
        _env_file=None,
    )
    with served_in_thread(create_app(settings)) as url:
        yield f"{url}/scim/v2"


def _run_checks(base_url: str) -> list[Any]:
    headers = {"Authorization": f"Bearer {SCIM_TOKEN}"}
    with httpx.Client(base_url=base_url, headers=headers, trust_env=False) as http:
        results: list[Any] = scim2_tester.check_server(HttpxSCIMClient(http))
        return results


async def test_scim2_tester_finds_no_error(served_app: str) -> None:
    results = await asyncio.to_thread(_run_checks, served_app)

    passed = {scim2_tester.Status.SUCCESS, scim2_tester.Status.COMPLIANT}
    allowed = passed | {scim2_tester.Status.ACCEPTABLE, scim2_tester.Status.SKIPPED}
    problems = [
        f"{result.title} [{result.status.name}]: {result.reason}"
        for result in results
        if result.status not in allowed
    ]
    assert problems == []
    assert sum(result.status in passed for result in results) >= 40
