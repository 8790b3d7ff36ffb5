"""The one place that asks what time it is, and the one way to replay history through it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_replayed: ContextVar[datetime | None] = ContextVar("replayed_now", default=None)


def utcnow() -> datetime:
    """Now, or the moment being replayed (see `replaying`)."""
    moment = _replayed.get()
    return moment if moment is not None else datetime.now(UTC)


@contextmanager
def replaying(moment: datetime) -> Iterator[None]:
    """Inside, `utcnow()` answers `moment`, so back-filled history (the demo's quarter) goes
    through the same actions as live work and each stamps the moment it replays."""
    if moment.tzinfo is None:
        raise ValueError("a replayed moment needs a time zone")
    if moment > datetime.now(UTC):
        raise ValueError("history is never replayed into the future")
    token = _replayed.set(moment)
    try:
        yield
    finally:
        _replayed.reset(token)
