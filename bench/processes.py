"""Servers under test, each pinned with taskset to the server core, started and stopped by pid."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from server.dev_sign_in import COOKIE_NAME

ROOT = Path(__file__).absolute().parent.parent
SERVER_CPU = "0"
LOAD_CPU = "1"
ALL_CPUS = f"0-{(os.cpu_count() or 1) - 1}"  # the replicas stage: servers not pinned
LOGS = Path(__file__).absolute().parent / "results" / "raw"
# The product acts as the development person only for the holder of the token it was
# given (BENCH_DEV_TOKEN, read by bench.servers:api_app). Every bench request carries it
# as the sign-in cookie, which the reference servers and the peers ignore.
DEV_TOKEN = os.environ.get("BENCH_DEV_TOKEN") or secrets.token_urlsafe(32)
DEV_COOKIE = f"{COOKIE_NAME}={DEV_TOKEN}"
JSON_HEADERS = {"content-type": "application/json", "cookie": DEV_COOKIE}


class ServerFailed(RuntimeError):
    pass


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mib(self) -> float:
        """Resident memory of the server process (uvicorn and node fork no workers here)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        stop_process(self.process, timeout_s=10)


def stop_process(
    process: subprocess.Popen[Any], *, timeout_s: float, how: signal.Signals = signal.SIGTERM
) -> None:
    """Ask a running process to stop (`how`), and kill it if it has not within `timeout_s`."""
    if process.poll() is not None:
        return
    process.send_signal(how)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start(
    name: str,
    command: Sequence[str],
    *,
    port: int,
    ready_path: str,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    timeout_s: float = 60,
    cpus: str = SERVER_CPU,
) -> Server:
    """Run `command` under `taskset -c cpus` and wait until `ready_path` answers."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / f"{name}.log").open("wb")
    process = subprocess.Popen(
        ["taskset", "-c", cpus, *command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(name, port, process)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"{name} exited with {process.returncode}; see {log.name}")
        try:
            if httpx.get(server.url + ready_path, timeout=2).status_code < 500:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise ServerFailed(f"{name} did not answer {ready_path} within {timeout_s} s")


def uvicorn(
    name: str,
    factory: str,
    *,
    port: int,
    database_url: str,
    ready_path: str,
    stamp: str = "",
    cpus: str = SERVER_CPU,
) -> Server:
    """One uvicorn worker with uvloop and httptools, no access log."""
    command = uvicorn_command(factory, port)
    env = {
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_ENV": "dev",
        "PYTHONPATH": str(ROOT),
        "BENCH_CURSOR_STAMP": stamp,
        "BENCH_DEV_TOKEN": DEV_TOKEN,
    }
    return start(name, command, port=port, ready_path=ready_path, env=env, cpus=cpus)


def uvicorn_command(factory: str, port: int) -> list[str]:
    """uvicorn serving the app `factory` makes on loopback: one worker, uvloop and
    httptools, warnings only, no access log."""
    return [
        sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--loop", "uvloop", "--http", "httptools",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


class Priority:
    """`--priority`: on a shared machine, give the benchmark a larger share of the CPU.

    Linux groups processes by session (autogroup) before niceness applies, so the bench
    raises its autogroup's niceness (/proc/self/autogroup: itself, its servers and load
    generators) and renices the PostgreSQL backends serving the sc_bench_* databases as
    they appear (a thread scanning /proc twice a second). Root only; undone on exit.
    """

    AUTOGROUP = Path("/proc/self/autogroup")

    def __init__(self, niceness: int = -10) -> None:
        self.niceness = niceness
        self._previous: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Priority:
        try:
            self._previous = self.AUTOGROUP.read_text().split()[-1]
            self.AUTOGROUP.write_text(str(self.niceness))
        except OSError:
            self._previous = None
        os.setpriority(os.PRIO_PROCESS, 0, self.niceness)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        if self._previous is not None:
            self.AUTOGROUP.write_text(self._previous)

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    command = (entry / "cmdline").read_bytes()
                    if command.startswith(b"postgres: ") and b" sc_bench_" in command:
                        pid = int(entry.name)
                        if os.getpriority(os.PRIO_PROCESS, pid) != self.niceness:
                            os.setpriority(os.PRIO_PROCESS, pid, self.niceness)
                except (OSError, ValueError):
                    continue
