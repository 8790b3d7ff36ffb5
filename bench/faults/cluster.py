"""A PostgreSQL cluster of the run's own: initdb in a temporary directory, a free port.

The fault run restarts it; the machine's server (5432) is never touched. As root, the
cluster's commands run as the `postgres` user (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

BIN = Path("/usr/lib/postgresql/15/bin")
SETTINGS = (
    "listen_addresses = '127.0.0.1'",
    "max_connections = 100",
    "shared_buffers = '128MB'",
    "fsync = on",  # an immediate restart must find every committed row: default durability
    "log_min_messages = warning",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Cluster:
    """`with Cluster() as cluster:` a running server at `cluster.url`, removed on exit."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="sc-faults-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str, timeout_s: float = 120) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, *command], check=True, timeout=timeout_s, capture_output=True, text=True
        )

    def _pg_ctl(self, *arguments: str) -> None:
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *arguments)

    def __enter__(self) -> Cluster:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        settings = [
            *SETTINGS,
            f"port = {self.port}",
            f"unix_socket_directories = '{self.directory}'",
        ]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        self._pg_ctl("-w", "start")
        return self

    def restart(self, mode: str) -> None:
        """`pg_ctl restart -m fast|immediate`, returning once it accepts connections."""
        self._pg_ctl("-w", "-m", mode, "restart")

    def wait_accepting(self, timeout_s: float = 60) -> float:
        """Wait until the server accepts connections; the monotonic moment it first did."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
            )
            if ready.returncode == 0:
                return time.monotonic()
            time.sleep(0.02)
        raise TimeoutError(f"PostgreSQL on {self.port} did not come back in {timeout_s} s")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._pg_ctl("-w", "-m", "fast", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)
