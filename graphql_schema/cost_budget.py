"""Each caller's cost budget per minute (`CATALOG_COST_PER_MINUTE`), and the headers that
tell a client where it stands (the IETF httpapi RateLimit fields: `RateLimit-Policy`,
`RateLimit`).

An operation spends its estimated cost (cost.py) before it runs; one the budget cannot
cover is refused whole, spends nothing, and says when to try again. The window slides
(limits' sliding-window counter): in process by default, shared across replicas with
`CATALOG_REDIS_URL`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from core.settings import Settings
from identity.principal import Principal

POLICY = "cost"
WINDOW_S = 60


@dataclass(frozen=True, slots=True)
class Spending:
    """What one operation did to its caller's budget."""

    quota: int
    remaining: int
    reset_s: int
    refused: bool

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Policy": f'"{POLICY}";q={self.quota};w={WINDOW_S}',
            "RateLimit": f'"{POLICY}";r={self.remaining};t={self.reset_s}',
        }
        if self.refused:
            headers["Retry-After"] = str(self.reset_s)
        return headers


class CostBudget:
    """`per_minute` cost for each caller, over a sliding minute."""

    def __init__(self, per_minute: int, redis_url: str | None = None) -> None:
        storage = storage_from_string(f"async+{redis_url}") if redis_url else MemoryStorage()
        assert isinstance(storage, Storage)
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._rate = RateLimitItemPerMinute(per_minute)
        self.per_minute = per_minute

    @classmethod
    def from_settings(cls, settings: Settings) -> CostBudget | None:
        if not settings.cost_per_minute:
            return None
        return cls(settings.cost_per_minute, settings.redis_url)

    async def spend(self, caller: str, cost: int) -> Spending:
        """Take `cost` from the caller's budget, or refuse it whole."""
        allowed = cost <= 0 or await self._limiter.hit(self._rate, POLICY, caller, cost=cost)
        stats = await self._limiter.get_window_stats(self._rate, POLICY, caller)
        reset_s = max(0, math.ceil(stats.reset_time - time.time()))
        if not allowed:
            # Until enough of the window has slid by, at most a whole window.
            reset_s = min(max(1, reset_s), WINDOW_S) if cost <= self.per_minute else WINDOW_S
        return Spending(self.per_minute, stats.remaining, reset_s, refused=not allowed)


def caller_key(principal: Principal | None, client_ip: str | None) -> str:
    """Whose budget an operation spends: the signed-in caller's, else its address's."""
    if principal is not None:
        return principal.actor
    return f"address:{client_ip or 'unknown'}"


__all__ = ["POLICY", "WINDOW_S", "CostBudget", "Spending", "caller_key"]
