"""Worker threads for one org: simple-salesforce is synchronous.

Each org has a `CapacityLimiter` of its own (never anyio's shared default), so a slow org
only ever queues its own calls. A caller stops waiting at the deadline; its thread runs on
until its HTTP timeout. Those abandoned threads are counted, and past `max_threads` the org
is refused at once instead of piling up more.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import anyio
import anyio.to_thread

from salesforce.deadline import Deadline
from salesforce.errors import SalesforceUnavailable

T = TypeVar("T")


class _Job(Generic[T]):
    """A call that runs at most once; knows whether its thread ever picked it up."""

    def __init__(self, call: Callable[[], T], done: Callable[[], None]) -> None:
        self._call = call
        self._done = done
        self._lock = threading.Lock()
        self._state = "queued"

    def run(self) -> T:
        with self._lock:
            if self._state == "dropped":
                raise RuntimeError("dropped before it started")
            self._state = "running"
        try:
            return self._call()
        finally:
            self._done()

    def drop_if_queued(self) -> bool:
        with self._lock:
            if self._state != "queued":
                return False
            self._state = "dropped"
            return True


class OrgWorkers:
    def __init__(self, org_id: str, *, capacity: int = 4, max_threads: int | None = None) -> None:
        self.org_id = org_id
        self.limiter = anyio.CapacityLimiter(capacity)
        self.max_threads = max_threads or 2 * capacity
        self._lock = threading.Lock()
        self.threads = 0  # running or queued, abandoned ones included

    def _finished(self) -> None:
        with self._lock:
            self.threads -= 1

    async def run(self, call: Callable[[], T], deadline: Deadline) -> T:
        """`call()` in a worker thread, waited for until the deadline at most."""
        with self._lock:
            if self.threads >= self.max_threads:
                raise SalesforceUnavailable(self.org_id, "too many calls still running")
            self.threads += 1
        job = _Job(call, self._finished)
        try:
            with anyio.fail_after(deadline.remaining()):
                return await anyio.to_thread.run_sync(
                    job.run, limiter=self.limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            raise SalesforceUnavailable(self.org_id, "no answer within the deadline") from None
        finally:
            if job.drop_if_queued():
                self._finished()
