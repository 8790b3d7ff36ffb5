"""The retry schedule: doubling from 30 s to an hour with equal jitter, Retry-After a minimum,
given up a day after the delivery was written."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from notifications.backoff import Backoff

BACKOFF = Backoff(rng=random.Random(7))


def test_the_delay_doubles_with_jitter_up_to_the_cap() -> None:
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (500, 3600)]:
        for _ in range(20):
            delay = BACKOFF.delay(attempts).total_seconds()
            assert ceiling / 2 <= delay <= ceiling, (attempts, delay)


def test_the_jitter_spreads_the_retries() -> None:
    delays = {BACKOFF.delay(5) for _ in range(20)}

    assert len(delays) > 10


def test_a_receivers_retry_after_is_the_least_wait_up_to_a_day() -> None:
    assert BACKOFF.delay(1, timedelta(minutes=10)) == timedelta(minutes=10)
    assert BACKOFF.delay(1, timedelta(0)) >= timedelta(seconds=15)  # never at once
    assert BACKOFF.delay(9, timedelta(minutes=1)) >= timedelta(minutes=30)
    assert BACKOFF.delay(1, timedelta(days=9)) == timedelta(days=1)


def test_a_delivery_is_given_up_a_day_after_it_was_written() -> None:
    written = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)

    assert not BACKOFF.gives_up(written, written + timedelta(hours=23, minutes=59))
    assert BACKOFF.gives_up(written, written + timedelta(days=1))
