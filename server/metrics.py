"""`/metrics` in Prometheus text format: public, and free of user data.

HTTP requests are counted and timed by prometheus-fastapi-instrumentator, labelled by
route template (`/graphql`, `/scim/v2/Users/{user_id}`), never by raw path; requests
matching no route are grouped as `none`. GraphQL operations are counted by type and
outcome (graphql_schema/observability.py). The database pool is read at scrape time.

Each app has its own registry, so that a process (or a test run) building several apps
never mixes or duplicates their series.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GC_COLLECTOR
from prometheus_client.platform_collector import PLATFORM_COLLECTOR
from prometheus_client.process_collector import PROCESS_COLLECTOR
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator
from sqlalchemy.pool import QueuePool

from graphql_schema.observability import DURATION, OPERATIONS

METRICS_PATH = "/metrics"


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


def instrument(app: FastAPI) -> CollectorRegistry:
    """Count the app's requests (add it inside the request-id middleware) and serve /metrics."""
    registry = CollectorRegistry()
    for collector in (OPERATIONS, DURATION, PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        registry.register(collector)
    registry.register(PoolCollector(app))
    Instrumentator(
        should_group_status_codes=False,
        should_ignore_untemplated=False,
        should_group_untemplated=True,
        excluded_handlers=[METRICS_PATH],
        registry=registry,
    ).instrument(app).expose(app, endpoint=METRICS_PATH, include_in_schema=False)
    return registry
