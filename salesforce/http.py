"""The HTTP session of one org: our TLS trust, a timeout on every call, usage from headers."""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.util import Usage

from salesforce import metrics

# The timeout of the calls made by the current worker thread (what is left of the deadline).
CALL_TIMEOUT: ContextVar[float | None] = ContextVar("salesforce_call_timeout", default=None)


@dataclass(frozen=True)
class ApiUsage:
    """The org's API calls in the last 24 hours, from the last `Sforce-Limit-Info` seen."""

    used: int
    total: int
    seen_at: datetime


class OrgSession(requests.Session):
    """simple-salesforce's writes take no `timeout`: the session adds one to every request."""

    def __init__(
        self, *, default_timeout: float, ca_bundle: Path | None, org: str = "unnamed"
    ) -> None:
        super().__init__()
        self.default_timeout = default_timeout
        self.org = org
        self.api_usage: ApiUsage | None = None
        self._usage_lock = threading.Lock()
        if ca_bundle is not None:
            self.verify = str(ca_bundle)
            # Else REQUESTS_CA_BUNDLE (set on this machine) would override `verify`.
            self.trust_env = False
        self.hooks["response"].append(self._note_usage)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = CALL_TIMEOUT.get() or self.default_timeout
        started = time.perf_counter()
        target = url.decode() if isinstance(url, bytes) else url
        params = kwargs.get("params")
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException:
            metrics.record(self.org, target, params, "failed", time.perf_counter() - started)
            raise
        status: int = response.status_code
        outcome = metrics.outcome_of(status)
        metrics.record(self.org, target, params, outcome, time.perf_counter() - started)
        return response

    def _note_usage(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        header = response.headers.get("Sforce-Limit-Info")
        usage = Salesforce.parse_api_usage(header).get("api-usage") if header else None
        if isinstance(usage, Usage):
            with self._usage_lock:
                self.api_usage = ApiUsage(usage.used, usage.total, datetime.now(UTC))
