"""The read cache: expiry in process, and shared between replicas through Redis."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.salesforce_settings import SalesforceOrgConfig
from salesforce.cache import MemoryCache, RedisCache
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway


async def test_entries_expire_after_their_ttl() -> None:
    cache = MemoryCache()
    await cache.set_many({"a": [1], "b": []}, ttl_s=0.1)

    fresh = await cache.get_many(["a", "b", "c"])
    await asyncio.sleep(0.15)
    stale = await cache.get_many(["a", "b"])

    assert fresh == {"a": [1], "b": []}
    assert stale == {}


async def test_a_full_cache_drops_its_oldest_entries() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set_many({"a": 1}, ttl_s=60)
    await cache.set_many({"b": 2}, ttl_s=60)
    await cache.set_many({"c": 3}, ttl_s=60)

    assert await cache.get_many(["a", "b", "c"]) == {"b": 2, "c": 3}


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


async def test_replicas_share_answers_through_redis(
    redis_url: str,
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    fake: FakeSalesforce,
    crm: FakeOrg,
) -> None:
    crm.add("Idea", Title="Dark mode", Service__c="portal")
    replicas = [
        SalesforceGateway(org_configs, ca_bundle=ca_bundle, cache=RedisCache(redis_url))
        for _ in range(2)
    ]

    first = await replicas[0].ideas("crm", ["portal"], deadline=replicas[0].deadline())
    calls = len(fake.calls)
    second = await replicas[1].ideas("crm", ["portal"], deadline=replicas[1].deadline())

    assert second == first
    assert [idea.title for idea in second["portal"]] == ["Dark mode"]
    assert len(fake.calls) == calls
    for replica in replicas:
        await replica.close()
