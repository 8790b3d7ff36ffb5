"""PgBouncer (the Debian package's `pgbouncer`) in transaction pooling mode in front of a
PostgreSQL, on a free loopback port, for tests and benchmarks.

    with pgbouncer("postgresql://postgres@127.0.0.1:5432/postgres") as url:
        ...  # url: the same URL, through PgBouncer (any database of that server)

Its `*` database reaches every database of the server, those created later too. Clients
are trusted (loopback only); the upstream is reached as the client's user, with the URL's
password if it has one. PgBouncer 1.18
passes no session settings but the ones it tracks (`timezone`, `application_name`, ...):
`connect_query` gives every server connection the rest of what our engines want
(`core.db_pooler`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.processes import stop_process
from core.db_pooler import connect_query

BINARY = "pgbouncer"
START_S = 10
STOP_S = 5
# PgBouncer refuses to run as root; it switches to this user when started as root.
RUN_AS = "postgres"


class PgBouncerUnavailable(RuntimeError):
    """The binary is missing, or PgBouncer did not start (its log's end is in the message)."""


def available() -> bool:
    return shutil.which(BINARY) is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def pgbouncer(
    upstream_url: str,
    *,
    pool_size: int = 3,
    max_client_conn: int = 200,
    statement_timeout_ms: int | None = None,
) -> Iterator[str]:
    """PgBouncer in front of `upstream_url`'s server: `upstream_url` through it.

    `pool_size` server connections per (database, user); `statement_timeout_ms` is set on
    every server connection, as the app's CATALOG_STATEMENT_TIMEOUT_MS would be directly.
    """
    if not available():
        raise PgBouncerUnavailable(f"`{BINARY}` is not installed (apt-get install pgbouncer)")
    upstream = make_url(upstream_url)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="sc-pgbouncer-") as temp:
        directory = Path(temp)
        user = upstream.username or RUN_AS
        (directory / "userlist.txt").write_text(f'"{user}" ""\n')
        server = f"host={upstream.host or upstream.query.get('host') or '127.0.0.1'}"
        server += f" port={upstream.port or 5432}"
        if upstream.password:
            server += f" password={upstream.password}"
        ini = directory / "pgbouncer.ini"
        ini.write_text(
            _ini(
                server=server,
                port=port,
                directory=directory,
                pool_size=pool_size,
                max_client_conn=max_client_conn,
                statement_timeout_ms=statement_timeout_ms,
            )
        )
        process = _start(ini, directory)
        try:
            _wait_until_listening(process, port, directory / "pgbouncer.log")
            yield upstream.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
        finally:
            _stop(process)


def _ini(
    *,
    server: str,
    port: int,
    directory: Path,
    pool_size: int,
    max_client_conn: int,
    statement_timeout_ms: int | None,
) -> str:
    query = connect_query(statement_timeout_ms).replace("'", "''")
    return f"""\
[databases]
* = {server} connect_query='{query}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
server_login_retry = 1
max_client_conn = {max_client_conn}
logfile = {directory / "pgbouncer.log"}
pidfile = {directory / "pgbouncer.pid"}
"""


def _start(ini: Path, directory: Path) -> subprocess.Popen[bytes]:
    # -q: no log on stderr (the logfile has it all); a pipe nobody reads while PgBouncer
    # runs would fill up and block it.
    command = [BINARY, "-q", str(ini)]
    if os.geteuid() == 0:
        account = pwd.getpwnam(RUN_AS)
        for path in (directory, *directory.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
        command[1:1] = ["-u", RUN_AS]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    if process.poll() is None:
        process.kill()
        process.wait()
    said = process.stderr.read().decode(errors="replace") if process.stderr else ""
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise PgBouncerUnavailable(f"PgBouncer did not start on port {port}: {said}{tail}".strip())


def _stop(process: subprocess.Popen[bytes]) -> None:
    # SIGTERM: PgBouncer 1.18 closes every connection and exits at once.
    stop_process(process, timeout_s=STOP_S)
    if process.stderr is not None:
        process.stderr.close()
