"""The anonymous-submission limiter: in-process by default, Redis when CATALOG_REDIS_URL is set."""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int


class SubmissionLimiter:
    """Counts anonymous submissions per client address; replays are never counted."""

    def __init__(self, rate: str, redis_url: str | None = None) -> None:
        storage = storage_from_string(f"async+{redis_url}") if redis_url else MemoryStorage()
        assert isinstance(storage, Storage)
        self._limiter = MovingWindowRateLimiter(storage)
        self._rate: RateLimitItem = parse(rate)

    async def hit(self, client: str) -> Verdict:
        if await self._limiter.hit(self._rate, "feedback", client):
            return Verdict(True, 0)
        stats = await self._limiter.get_window_stats(self._rate, "feedback", client)
        return Verdict(False, max(1, int(stats.reset_time - time.time()) + 1))
