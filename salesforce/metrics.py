"""Salesforce calls counted and timed by org and object, for `/metrics`.

The org is its credentials reference (a settings key, so the label set is bounded); the
object is what the URL reads: the sObject of `/sobjects/Case/…`, the `FROM` of a query,
`limits`, `oauth`. Not in prometheus_client's global registry: each app's registry adds
them (server/metrics.py), with the breaker state and API budget read at scrape time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client import Counter, Histogram

CALLS = Counter(
    "salesforce_calls",
    "Salesforce API calls by org, object and outcome (ok, client_error, server_error, failed).",
    ["org", "object", "outcome"],
    registry=None,
)
DURATION = Histogram(
    "salesforce_call_duration_seconds",
    "Time of one Salesforce API call (one HTTP request), by org and object.",
    ["org", "object"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=None,
)

_SOBJECT = re.compile(r"/sobjects/(\w{1,80})")
_FROM = re.compile(r"\bfrom\s+(\w{1,80})", re.IGNORECASE)
_NAMED_PATHS = (
    ("/oauth2/", "oauth"),
    ("/limits", "limits"),
    ("/composite", "composite"),
)


def object_of(url: str, params: Any = None) -> str:
    """What a Salesforce REST call reads or writes, as a bounded label (its query string may
    be in the URL or, as simple-salesforce sends it, in `params`)."""
    parts = urlsplit(url)
    found = _SOBJECT.search(parts.path)
    if found:
        return found[1]
    if "/query" in parts.path:
        given = params.get("q") if isinstance(params, Mapping) else None
        soql = given if isinstance(given, str) else " ".join(parse_qs(parts.query).get("q", []))
        selected = _FROM.search(soql)
        if selected:
            return selected[1]
        return "query_more"
    for fragment, label in _NAMED_PATHS:
        if fragment in parts.path:
            return label
    return "other"


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    return "client_error" if status < 500 else "server_error"


def record(org: str, url: str, params: Any, outcome: str, seconds: float) -> None:
    name = object_of(url, params)
    CALLS.labels(org, name, outcome).inc()
    DURATION.labels(org, name).observe(seconds)
