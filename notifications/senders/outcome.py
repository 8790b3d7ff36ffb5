"""What one attempt to send a delivery came to, whatever the way it went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Verdict(StrEnum):
    DELIVERED = "DELIVERED"
    RETRY = "RETRY"  # a failure that may pass: tried again later
    DEAD = "DEAD"  # a failure that will not pass: given up now
    GONE = "GONE"  # the receiver says it is gone for good: given up, the channel disabled


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    error: str | None = None
    retry_after: timedelta | None = None  # the receiver's own wish, when it said one

    @classmethod
    def delivered(cls) -> Outcome:
        return cls(Verdict.DELIVERED)

    @classmethod
    def retry(cls, error: str, retry_after: timedelta | None = None) -> Outcome:
        return cls(Verdict.RETRY, error, retry_after)

    @classmethod
    def dead(cls, error: str) -> Outcome:
        return cls(Verdict.DEAD, error)

    @classmethod
    def gone(cls, error: str) -> Outcome:
        return cls(Verdict.GONE, error)
