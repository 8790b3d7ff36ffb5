"""When a failed delivery is tried again, and when it is given up: the one persisted schedule.

The delay doubles from `first` up to `cap`, with equal jitter (half fixed, half random) so
that receivers coming back up are not hit by every retry at once. A receiver's Retry-After
is honoured as the least wait. Past `give_up_after` from the delivery's creation a
failure is final.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Enough to pass any cap; more would only overflow timedelta.
MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class Backoff:
    first: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(days=1)
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempts: int, retry_after: timedelta | None = None) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt (1 for the first).

        A receiver's Retry-After is a minimum: never sooner, never past the day.
        """
        doublings = min(max(attempts - 1, 0), MAX_DOUBLINGS)
        ceiling = min(self.first * (1 << doublings), self.cap)
        jittered = ceiling / 2 + ceiling / 2 * self.rng.random()
        if retry_after is None:
            return jittered
        return min(max(retry_after, jittered), self.give_up_after)

    def gives_up(self, created_at: datetime, now: datetime) -> bool:
        return now - created_at >= self.give_up_after
