"""The processes under test: the API (uvicorn, as the bench serves it) and a worker.

Both read the same settings: the run's own database, the fake Salesforce's orgs, a short
Salesforce cache (so a fault shows within a second or two), webhooks to loopback allowed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from bench.faults.cluster import free_port
from bench.processes import DEV_TOKEN, LOGS, ROOT, Server, start, stop_process, uvicorn_command

CACHE_TTL_S = 1.0


def settings_env(
    database: dict[str, str], data_dir: Path, salesforce: dict[str, str]
) -> dict[str, str]:
    return {
        **database,
        "CATALOG_ENV": "dev",
        "CATALOG_DATA_DIR": str(data_dir),
        "CATALOG_SALESFORCE_CACHE_TTL_S": str(CACHE_TTL_S),
        "CATALOG_WEBHOOK_ALLOW_PRIVATE": "true",
        "CATALOG_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "BENCH_DEV_TOKEN": DEV_TOKEN,
        **salesforce,
    }


class Stack:
    """`with Stack(env) as stack:` the API at `stack.api.url` and a running worker."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self.api: Server | None = None
        self._worker: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        assert self.api is not None
        return self.api.url

    def __enter__(self) -> Stack:
        port = free_port()
        command = uvicorn_command("bench.servers:api_app", port)
        self.api = start(
            "faults-api",
            command,
            port=port,
            ready_path="/graphql?query=%7B__typename%7D",
            env=self._env,
        )
        LOGS.mkdir(parents=True, exist_ok=True)
        worker = Path(sys.executable).with_name("service-catalog")
        self._worker = subprocess.Popen(
            [str(worker), "worker"],
            cwd=ROOT,
            env={**os.environ, **self._env},
            stdout=(LOGS / "faults-worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        return self

    def api_alive(self) -> bool:
        return self.api is not None and self.api.process.poll() is None

    def worker_alive(self) -> bool:
        return self._worker is not None and self._worker.poll() is None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._worker is not None:
            stop_process(self._worker, timeout_s=15)
        if self.api is not None:
            self.api.stop()
