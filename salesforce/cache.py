"""The read cache: what an org answered, kept `CATALOG_SALESFORCE_CACHE_TTL_S` seconds.

In-process by default; shared through Redis when `CATALOG_REDIS_URL` is set. Values are
JSON, keyed by org reference, object and key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, Protocol


class ReadCache(Protocol):
    async def get_many(self, keys: Sequence[str]) -> dict[str, Any]: ...

    async def set_many(self, values: dict[str, Any], ttl_s: float) -> None: ...

    async def close(self) -> None: ...


class MemoryCache:
    """A dict with expiry times; expired entries are swept when it grows."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}
        self._max_entries = max_entries

    async def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        now = time.monotonic()
        found = {}
        for key in keys:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                found[key] = entry[1]
        return found

    async def set_many(self, values: dict[str, Any], ttl_s: float) -> None:
        if ttl_s <= 0:
            return
        now = time.monotonic()
        if len(self._entries) + len(values) > self._max_entries:
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
        while self._entries and len(self._entries) + len(values) > self._max_entries:
            del self._entries[next(iter(self._entries))]
        expires = now + ttl_s
        for key, value in values.items():
            self._entries[key] = (expires, value)

    async def close(self) -> None:
        self._entries.clear()


class RedisCache:
    """The same cache in Redis, shared by every replica (coredis, as `limits` uses)."""

    def __init__(self, url: str, prefix: str = "catalog:salesforce:") -> None:
        import coredis

        self._client: Any = coredis.Redis.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        if not keys:
            return {}
        values = await self._client.mget([self._prefix + key for key in keys])
        return {
            key: json.loads(value)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    async def set_many(self, values: dict[str, Any], ttl_s: float) -> None:
        if ttl_s <= 0 or not values:
            return
        milliseconds = int(ttl_s * 1000)
        for key, value in values.items():
            await self._client.set(self._prefix + key, json.dumps(value), px=milliseconds)

    async def close(self) -> None:
        """coredis closes its pooled connections by itself."""
