"""`/metrics` in Prometheus text format: public, and free of user data.

HTTP requests are counted and timed by `RequestMetrics`, labelled by route template
(`/graphql`, `/scim/v2/Users/{user_id}`), never by raw path; requests matching no route
are grouped as `none`. prometheus-fastapi-instrumentator's middleware did this, at ~55 µs
a request (it matched the path against every route and built a Response and five
metrics' worth of objects each time, a fifth of `{ __typename }`'s whole cost); its
route matching is still what names a path, once, remembered for the next request.
GraphQL operations are counted by type and outcome (graphql_schema/observability.py).
The database pool is read at scrape time.

Each app has its own registry, so that a process (or a test run) building several apps
never mixes or duplicates their series.
"""

from __future__ import annotations

from collections.abc import Iterator

from cachetools import LRUCache
from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GC_COLLECTOR
from prometheus_client.platform_collector import PLATFORM_COLLECTOR
from prometheus_client.process_collector import PROCESS_COLLECTOR
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator.routing import get_route_name
from sqlalchemy.pool import QueuePool
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_schema.observability import DURATION, OPERATIONS
from salesforce import metrics as salesforce_metrics
from server.answered import answered
from server.jobs.metrics import JOB_COLLECTORS

METRICS_PATH = "/metrics"
UNMATCHED = "none"
# Paths remembered with their route template: distinct paths are unbounded (ids), this is not.
REMEMBERED_PATHS = 4096


class RouteTemplates:
    """The route template a path belongs to (`none` for none), looked up once a path."""

    def __init__(self) -> None:
        self._known: LRUCache[str, str] = LRUCache(REMEMBERED_PATHS)

    def of(self, scope: Scope) -> str:
        path: str = scope["path"]
        template = self._known.get(path)
        if template is None:
            template = get_route_name(HTTPConnection(scope), False) or UNMATCHED
            self._known[path] = template
        return template


class RequestMetrics:
    """Pure ASGI: counts and times every HTTP request but the scrape itself."""

    def __init__(self, app: ASGIApp, *, registry: CollectorRegistry) -> None:
        self.app = app
        self.templates = RouteTemplates()
        self.requests = Counter(
            "http_requests",
            "HTTP requests by method, status and route template.",
            ["method", "status", "handler"],
            registry=registry,
        )
        self.durations = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "handler"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        handler = self.templates.of(scope)
        if handler == METRICS_PATH:
            await self.app(scope, receive, send)
            return
        method = scope["method"]

        def count(status: int, seconds: float) -> None:
            self.requests.labels(method, str(status), handler).inc()
            self.durations.labels(method, handler).observe(seconds)

        await answered(self.app, scope, receive, send, count)


class PoolCollector(Collector):
    """The app's connection pool, when it has one (a test's engine may not)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        engine = getattr(self.app.state, "engine", None)
        pool = engine.pool if engine is not None else None
        if not isinstance(pool, QueuePool):
            return
        size = GaugeMetricFamily("db_pool_size", "Connections the pool keeps open.")
        size.add_metric([], pool.size())
        connections = GaugeMetricFamily(
            "db_pool_connections", "Connections of the pool by state.", labels=["state"]
        )
        connections.add_metric(["checked_out"], pool.checkedout())
        connections.add_metric(["checked_in"], pool.checkedin())
        connections.add_metric(["overflow"], max(pool.overflow(), 0))
        yield size
        yield connections


BREAKER_STATES = ("closed", "half-opened", "opened")


class SalesforceCollector(Collector):
    """Each connected org's circuit breaker and daily API budget (its last Sforce-Limit-Info)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        gateway = getattr(self.app.state, "salesforce", None)
        if gateway is None:
            return
        breaker = GaugeMetricFamily(
            "salesforce_breaker_state",
            "1 for the state each org's circuit breaker is in.",
            labels=["org", "state"],
        )
        limit = GaugeMetricFamily(
            "salesforce_api_daily_limit", "The org's API calls allowed in 24 hours.", labels=["org"]
        )
        remaining = GaugeMetricFamily(
            "salesforce_api_daily_remaining",
            "The org's API calls left of its 24-hour limit, as last reported.",
            labels=["org"],
        )
        for ref in sorted(gateway.orgs):
            current = gateway.breaker_state(ref)
            for state in BREAKER_STATES:
                breaker.add_metric([ref, state], 1 if state == current else 0)
            usage = gateway.api_usage(ref)
            if usage is not None:
                limit.add_metric([ref], usage.total)
                remaining.add_metric([ref], max(usage.total - usage.used, 0))
        yield breaker
        yield limit
        yield remaining


def instrument(app: FastAPI) -> CollectorRegistry:
    """Count the app's requests (add it inside the request-id middleware) and serve /metrics."""
    registry = CollectorRegistry()
    collectors: tuple[Collector, ...] = (
        OPERATIONS,
        DURATION,
        PROCESS_COLLECTOR,
        PLATFORM_COLLECTOR,
        GC_COLLECTOR,
        PoolCollector(app),
        salesforce_metrics.CALLS,
        salesforce_metrics.DURATION,
        SalesforceCollector(app),
        *JOB_COLLECTORS,
    )
    for collector in collectors:
        registry.register(collector)
    app.add_middleware(RequestMetrics, registry=registry)
    app.state.metrics_registry = registry
    app.add_api_route(METRICS_PATH, _scrape, methods=["GET"], include_in_schema=False)
    return registry


async def _scrape(request: Request) -> Response:
    """Module-level, as graphql_schema/http.py's endpoints are (FastAPI's endpoint cache)."""
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
