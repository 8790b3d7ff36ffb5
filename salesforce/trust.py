"""The Salesforce Trust status API (api.status.salesforce.com, v1): incidents and maintenances
per instance. Public and unauthenticated; read like the orgs are, within a deadline, retried
while worth it and behind a circuit breaker of its own.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from salesforce.deadline import Deadline
from salesforce.errors import SalesforceRejected, SalesforceUnavailable, Transient

TRUST = "Trust API"
PAGE_SIZE = 100
MAX_PAGES = 50
logger = logging.getLogger(__name__)
Json = dict[str, Any]


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _keys(value: Any) -> tuple[str, ...]:
    return tuple(str(key).upper() for key in value) if isinstance(value, list) else ()


@dataclass(frozen=True)
class TrustImpact:
    start: datetime
    end: datetime | None
    type: str  # serviceDisruption, performanceDegradation, featureDisruption...
    severity: str  # major, minor


@dataclass(frozen=True)
class TrustIncident:
    """One Trust incident: from its first impact's start to its last impact's end."""

    id: int
    instance_keys: tuple[str, ...]
    service_keys: tuple[str, ...]
    is_core: bool
    affects_all: bool
    impacts: tuple[TrustImpact, ...]
    message: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @property
    def started_at(self) -> datetime | None:
        return min((impact.start for impact in self.impacts), default=self.created_at)

    @property
    def ended_at(self) -> datetime | None:
        """None while any impact is open."""
        ends = [impact.end for impact in self.impacts]
        if not ends or any(end is None for end in ends):
            return None
        return max(end for end in ends if end is not None)

    @property
    def severity(self) -> str:
        return "major" if any(i.severity == "major" for i in self.impacts) else "minor"

    @property
    def impact_type(self) -> str | None:
        return self.impacts[0].type if self.impacts else None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrustIncident:
        impacts = tuple(
            TrustImpact(
                start=start,
                end=_time(item.get("endTime")),
                type=str(item.get("type") or ""),
                severity=str(item.get("severity") or "minor"),
            )
            for item in data.get("IncidentImpacts") or []
            if (start := _time(item.get("startTime"))) is not None
        )
        events = data.get("IncidentEvents") or []
        message = next((str(e["message"]) for e in reversed(events) if e.get("message")), None)
        return cls(
            id=int(data["id"]),
            instance_keys=_keys(data.get("instanceKeys")),
            service_keys=tuple(str(key) for key in data.get("serviceKeys") or []),
            is_core=bool(data.get("isCore")),
            affects_all=bool(data.get("affectsAll")),
            impacts=impacts,
            message=message,
            created_at=_time(data.get("createdAt")),
            updated_at=_time(data.get("updatedAt")),
        )


@dataclass(frozen=True)
class TrustMaintenance:
    id: int
    name: str
    planned_start: datetime
    planned_end: datetime
    instance_keys: tuple[str, ...]
    is_core: bool
    affects_all: bool
    event_type: str | None  # release, maintenance
    release_type: str | None  # Major for the seasonal releases
    availability: str | None

    @property
    def major_release(self) -> bool:
        return self.event_type == "release" and (self.release_type or "").lower() == "major"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrustMaintenance:
        message = data.get("message") or {}
        start, end = _time(data.get("plannedStartTime")), _time(data.get("plannedEndTime"))
        if start is None or end is None:
            raise ValueError(f"maintenance {data.get('id')} has no planned times")
        return cls(
            id=int(data["id"]),
            name=str(data.get("name") or message.get("name") or ""),
            planned_start=start,
            planned_end=end,
            instance_keys=_keys(data.get("instanceKeys")),
            is_core=bool(data.get("isCore")),
            affects_all=bool(data.get("affectsAll")),
            event_type=message.get("eventType"),
            release_type=data.get("releaseType"),
            availability=message.get("availability"),
        )


def _client(ca_bundle: Path | None, timeout_s: float) -> httpx.AsyncClient:
    # With a CA file of our own, REQUESTS_CA_BUNDLE / SSL_CERT_FILE must not override it.
    verify: ssl.SSLContext | bool = (
        ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle else True
    )
    return httpx.AsyncClient(
        verify=verify,
        trust_env=ca_bundle is None,
        timeout=timeout_s,
        follow_redirects=False,
        headers={"Accept": "application/json"},
    )


class TrustClient:
    """Reads of the Trust API at `base_url` (https://api.status.salesforce.com in production)."""

    def __init__(
        self,
        base_url: str,
        *,
        ca_bundle: Path | None = None,
        timeout_s: float = 5.0,
        breaker_threshold: int = 5,
        breaker_ttl_s: float = 30.0,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.page_size = page_size
        self._http = _client(ca_bundle, timeout_s)
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=breaker_threshold, default_ttl=breaker_ttl_s
        )

    async def close(self) -> None:
        await self._http.aclose()

    def deadline(self) -> Deadline:
        return Deadline.after(self.timeout_s)

    async def incidents(
        self, instance_key: str, *, since: datetime, deadline: Deadline | None = None
    ) -> list[TrustIncident]:
        """The instance's incidents that started since `since` or are still open."""
        params = {"instance": instance_key, "startTime": since.isoformat()}
        found = await self._pages("/v1/incidents", params, deadline or self.deadline())
        return [TrustIncident.from_json(item) for item in found]

    async def maintenances(
        self, instance_key: str, *, since: datetime, deadline: Deadline | None = None
    ) -> list[TrustMaintenance]:
        """The instance's maintenances planned to start since `since`, releases included."""
        params = {"instance": instance_key, "startTime": since.isoformat()}
        found = await self._pages("/v1/maintenances", params, deadline or self.deadline())
        return [TrustMaintenance.from_json(item) for item in found]

    async def _pages(self, path: str, params: Mapping[str, str], deadline: Deadline) -> list[Json]:
        found: list[Json] = []
        for page in range(MAX_PAGES):
            query = {**params, "limit": str(self.page_size), "offset": str(page * self.page_size)}
            items = await self._get(path, query, deadline)
            found.extend(items)
            if len(items) < self.page_size:
                break
        return found

    async def _get(self, path: str, params: Mapping[str, str], deadline: Deadline) -> list[Json]:
        breaker = await self._breakers.get_breaker(TRUST, exclude=[SalesforceRejected])
        try:
            async with breaker:
                return await self._attempts(path, params, deadline)
        except OpenedState:
            raise SalesforceUnavailable(TRUST, "circuit open after repeated failures") from None

    async def _attempts(
        self, path: str, params: Mapping[str, str], deadline: Deadline
    ) -> list[Json]:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            retry=retry_if_exception_type(Transient),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if deadline.remaining() < 0.05:
                    raise SalesforceUnavailable(TRUST, "no answer within the deadline")
                return await self._once(path, params, deadline.remaining())
        raise AssertionError("tenacity either returns or raises")

    async def _once(self, path: str, params: Mapping[str, str], seconds: float) -> list[Json]:
        try:
            response = await self._http.get(self.base_url + path, params=params, timeout=seconds)
        except httpx.TimeoutException:
            raise SalesforceUnavailable(TRUST, "no answer within the deadline") from None
        except httpx.TransportError:
            raise Transient(TRUST, "could not connect") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise Transient(TRUST, f"answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise SalesforceRejected(TRUST, f"request refused (HTTP {response.status_code})")
        try:
            body = response.json()
        except ValueError:
            raise SalesforceUnavailable(TRUST, "answered something other than JSON") from None
        if not isinstance(body, list):
            raise SalesforceUnavailable(TRUST, "answered something other than a list")
        return [item for item in body if isinstance(item, dict)]
