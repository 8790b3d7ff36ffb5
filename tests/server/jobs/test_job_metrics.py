"""Job runs on /metrics: counted by outcome, timed, the last success stamped; and the
worker's own metrics endpoint (CATALOG_WORKER_METRICS_PORT)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_engine
from server.jobs import JobContext, run_slot
from server.jobs.metrics import JOB_COLLECTORS
from tests.identity.idp import free_port
from tests.server.jobs.test_scheduler import context, starting_now

COMMAND = Path(sys.executable).parent / "service-catalog"
WAIT_S = 60


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    for collector in JOB_COLLECTORS:
        registry.register(collector)
    return _samples(generate_latest(registry).decode())


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    made = make_engine(fresh_database)
    yield made
    await made.dispose()


async def test_a_run_is_counted_by_outcome_with_its_duration_and_last_success(
    engine: AsyncEngine,
) -> None:
    async def fine(context: JobContext) -> str:
        return "done"

    async def broken(context: JobContext) -> str:
        raise RuntimeError("the org said no")

    before = time.time()
    assert await run_slot(starting_now("metrics-fine", 1, fine), context(engine)) == "done"
    with pytest.raises(RuntimeError, match="the org said no"):
        await run_slot(starting_now("metrics-broken", 1, broken), context(engine))
    seen = _scrape()

    assert (
        seen[("catalog_job_runs_total", (("job", "metrics-fine"), ("outcome", "succeeded")))] == 1
    )
    assert seen[("catalog_job_runs_total", (("job", "metrics-broken"), ("outcome", "failed")))] == 1
    assert (
        "catalog_job_runs_total",
        (("job", "metrics-broken"), ("outcome", "succeeded")),
    ) not in seen
    assert seen[("catalog_job_duration_seconds_count", (("job", "metrics-fine"),))] == 1
    assert seen[("catalog_job_duration_seconds_count", (("job", "metrics-broken"),))] == 1
    stamped = seen[("catalog_job_last_success_timestamp_seconds", (("job", "metrics-fine"),))]
    assert before <= stamped <= time.time()
    assert ("catalog_job_last_success_timestamp_seconds", (("job", "metrics-broken"),)) not in seen


def test_the_worker_serves_its_metrics_on_the_configured_port(fresh_database: str) -> None:
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env |= {
        "CATALOG_DATABASE_URL": fresh_database,
        "CATALOG_WORKER_METRICS_PORT": str(port),
        "CATALOG_ENV": "dev",
    }
    process = subprocess.Popen(
        [str(COMMAND), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + WAIT_S
        text = ""
        while time.monotonic() < deadline and "catalog_job_runs_total{" not in text:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            with contextlib.suppress(httpx.TransportError):
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)

    # Some job's slot is always open at start (clock-events runs every minute).
    assert "catalog_job_runs_total{" in text
    assert "process_resident_memory_bytes" in text
