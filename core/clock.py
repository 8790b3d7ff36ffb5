"""The one place that asks what time it is."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
