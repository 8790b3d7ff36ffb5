"""`service-catalog serve` and `service-catalog worker` as real processes on loopback, for
tests that run several of them against one database (tests/server/test_replicas.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.processes import stop_process
from server.jobs.scheduler import JOBS

COMMAND = Path(sys.executable).parent / "service-catalog"
# Scheduled jobs of a one-minute period, slots on the minute: a test can wait for one.
MINUTE_JOBS = sorted(
    name
    for name, job in JOBS.items()
    if job.every == timedelta(minutes=1) and job.offset == timedelta(0)
)
START_WINDOW_S = max(JOBS[name].start_window.total_seconds() for name in MINUTE_JOBS)
# Past a slot's start window and this margin, its run (if any) has finished.
RUN_MARGIN_S = 6
START_S = 240  # a loaded 2-core machine starting four of them at once is slow


class ProcessFailed(AssertionError):
    pass


def catalog_environment(settings: dict[str, str]) -> dict[str, str]:
    """This environment without any CATALOG_ variable of the developer's or the suite's."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    return kept | settings


@dataclass
class CatalogProcess:
    """One `service-catalog` command; `port` is where it answers HTTP (its API or metrics)."""

    name: str
    arguments: list[str]
    port: int
    settings: dict[str, str]
    home: Path
    ready_path: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.home / f"{self.name}.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Launched in the background: `wait_ready` after starting its siblings too."""
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            # cwd is a folder of its own so that no `.env` of the developer's is read.
            self.process = subprocess.Popen(
                [str(COMMAND), *self.arguments],
                env=catalog_environment(self.settings),
                cwd=self.home,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def answers(self) -> bool:
        try:
            return httpx.get(self.url + self.ready_path, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if not self.running:
                raise ProcessFailed(f"{self.name} exited early:\n{self.log.read_text()}")
            if self.answers():
                return
            time.sleep(0.2)
        raise ProcessFailed(f"{self.name} not ready within {START_S} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to its clients or its database connections."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout_s=20)

    def metric(self, family: str, **labels: str) -> float:
        """The sum of `family`'s samples (counters: `_total`) whose labels include `labels`."""
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        return sum(
            sample.value
            for metric in text_string_to_metric_families(text)
            if metric.name == family
            for sample in metric.samples
            if sample.name in (family, f"{family}_total")
            and all(sample.labels.get(name) == value for name, value in labels.items())
        )


def api_replica(name: str, port: int, settings: dict[str, str], home: Path) -> CatalogProcess:
    arguments = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    return CatalogProcess(name, arguments, port, settings, home / name, "/readyz")


def worker(name: str, metrics_port: int, settings: dict[str, str], home: Path) -> CatalogProcess:
    own = settings | {"CATALOG_WORKER_METRICS_PORT": str(metrics_port)}
    return CatalogProcess(name, ["worker"], metrics_port, own, home / name, "/metrics")


def job_runs(workers: tuple[CatalogProcess, ...]) -> dict[str, float]:
    """Runs of each one-minute job, both workers together (succeeded or failed)."""
    return {
        job: sum(process.metric("catalog_job_runs", job=job) for process in workers)
        for job in MINUTE_JOBS
    }


def settled_time() -> float:
    """Now, once past the current one-minute slot's start window and its run: no run of the
    current slot is still to come or under way."""
    window = START_WINDOW_S + RUN_MARGIN_S
    now = time.time()
    if now % 60 < window:
        time.sleep(window - now % 60)
    return time.time()
