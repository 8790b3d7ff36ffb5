"""One org: its token, its threads, its circuit breaker, retries within the deadline.

Every call runs `op(Salesforce)` in a worker thread with a fresh simple-salesforce client
on the org's session; a refused session (INVALID_SESSION_ID) is renewed once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TypeVar

import requests
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError as ClientError
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceGeneralError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.stop import stop_base

from core.salesforce_settings import SalesforceOrgConfig
from salesforce.deadline import Deadline
from salesforce.errors import (
    SalesforceError,
    SalesforceLimitExceeded,
    SalesforceRejected,
    SalesforceUnavailable,
    Transient,
    error_code,
)
from salesforce.http import CALL_TIMEOUT, ApiUsage, OrgSession
from salesforce.tokens import Token, token_source
from salesforce.workers import OrgWorkers

API_VERSION = "59.0"
# Failures the breaker does not count: the org answered, it just said no.
NOT_OUTAGES: list[type[BaseException]] = [
    SalesforceLimitExceeded,
    SalesforceRejected,
    asyncio.CancelledError,
]
T = TypeVar("T")
logger = logging.getLogger(__name__)


@contextmanager
def _mapped(org_id: str) -> Iterator[None]:
    """simple-salesforce's and requests' errors as ours; no URL, header or body is kept."""
    try:
        yield
    except SalesforceError:
        raise
    except SalesforceGeneralError as error:
        raise Transient(org_id, f"answered HTTP {error.status}") from None
    except ClientError as error:
        code = error_code(error) or f"HTTP {error.status}"
        if code == "REQUEST_LIMIT_EXCEEDED":
            raise SalesforceLimitExceeded(org_id, "no API calls left today") from None
        if error.status == 401:
            raise SalesforceUnavailable(org_id, f"session refused ({code})") from None
        raise SalesforceRejected(org_id, f"request refused ({code})") from None
    except requests.Timeout:
        raise SalesforceUnavailable(org_id, "no answer within the deadline") from None
    except requests.ConnectionError:
        raise Transient(org_id, "could not connect") from None
    except requests.RequestException as error:
        raise SalesforceUnavailable(org_id, type(error).__name__) from None


class _OutOfTime(stop_base):
    """No further attempt when too little of the deadline is left for one."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.deadline.remaining() < 0.25


class OrgConnection:
    def __init__(
        self,
        config: SalesforceOrgConfig,
        *,
        session: OrgSession,
        breakers: AsyncCircuitBreakerFactory,
        capacity: int = 4,
    ) -> None:
        self.config = config
        self.org_id = config.org_id
        self.session = session
        self.workers = OrgWorkers(config.org_id, capacity=capacity)
        self._tokens = token_source(config, session)
        self._breakers = breakers

    @property
    def api_usage(self) -> ApiUsage | None:
        return self.session.api_usage

    async def call(
        self, op: Callable[[Salesforce], T], *, deadline: Deadline, idempotent: bool = True
    ) -> T:
        """`op` against the org, guarded by its breaker, retried while worth it and in time."""
        breaker = await self._breakers.get_breaker(self.org_id, exclude=list(NOT_OUTAGES))
        try:
            async with breaker:
                return await self._attempts(op, deadline, idempotent)
        except OpenedState:
            raise SalesforceUnavailable(
                self.org_id, "circuit open after repeated failures"
            ) from None
        except SalesforceError as error:
            logger.warning("Salesforce org %s: %s", self.org_id, error.reason)
            raise

    async def _attempts(
        self, op: Callable[[Salesforce], T], deadline: Deadline, idempotent: bool
    ) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(3 if idempotent else 1) | _OutOfTime(deadline),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            retry=retry_if_exception_type(Transient),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                call = partial(self._in_thread, op, deadline.remaining())
                return await self.workers.run(call, deadline)
        raise AssertionError("tenacity either returns or raises")

    def _in_thread(self, op: Callable[[Salesforce], T], timeout: float) -> T:
        CALL_TIMEOUT.set(max(timeout, 0.01))  # this thread's context only
        with _mapped(self.org_id):
            token = self._tokens.current()
            try:
                return op(self._client(token))
            except SalesforceExpiredSession as error:
                if error_code(error) != "INVALID_SESSION_ID":
                    raise
                renewed = self._tokens.renew(token)
                if renewed is None:
                    raise
                return op(self._client(renewed))

    def _client(self, token: Token) -> Salesforce:
        return Salesforce(
            session_id=token.access_token,
            instance_url=token.instance_url,
            session=self.session,
            version=API_VERSION,
        )
