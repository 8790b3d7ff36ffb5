"""Job runs counted, timed and their last success stamped, for `/metrics` (the API's, with
`serve --with-worker`) and the worker's own endpoint (CATALOG_WORKER_METRICS_PORT)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.gc_collector import GC_COLLECTOR
from prometheus_client.platform_collector import PLATFORM_COLLECTOR
from prometheus_client.process_collector import PROCESS_COLLECTOR

from salesforce import metrics as salesforce_metrics

RUNS = Counter(
    "catalog_job_runs",
    "Scheduled job runs by job and outcome (succeeded, failed).",
    ["job", "outcome"],
    registry=None,
)
DURATION = Histogram(
    "catalog_job_duration_seconds",
    "Time of one job run, by job.",
    ["job"],
    buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600),
    registry=None,
)
LAST_SUCCESS = Gauge(
    "catalog_job_last_success_timestamp_seconds",
    "When each job last finished without an error (Unix time).",
    ["job"],
    registry=None,
)
JOB_COLLECTORS = (RUNS, DURATION, LAST_SUCCESS)


@contextmanager
def measured(job: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        RUNS.labels(job, "failed").inc()
        raise
    finally:
        DURATION.labels(job).observe(time.perf_counter() - started)
    RUNS.labels(job, "succeeded").inc()
    LAST_SUCCESS.labels(job).set_to_current_time()


def serve_worker_metrics(port: int) -> CollectorRegistry:
    """The worker's /metrics on `port` (all interfaces, for the scraper), from a thread."""
    registry = CollectorRegistry()
    for collector in (
        *JOB_COLLECTORS,
        salesforce_metrics.CALLS,
        salesforce_metrics.DURATION,
        PROCESS_COLLECTOR,
        PLATFORM_COLLECTOR,
        GC_COLLECTOR,
    ):
        registry.register(collector)
    start_http_server(port, registry=registry)
    return registry
