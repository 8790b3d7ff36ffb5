"""What our connections ask of PostgreSQL, directly or through a transaction pooler.

PgBouncer 1.18 in `pool_mode = transaction` hands each transaction (and each statement
outside one) whichever server connection is free. So, through it:

- asyncpg's and SQLAlchemy's prepared-statement caches are off: a statement prepared by
  name on one server connection is unknown on the next, and asyncpg's names
  (`__asyncpg_stmt_1__`) collide between clients sharing one. Uncached, asyncpg prepares
  each statement unnamed and binds it right after (Parse/Describe end with a Flush, not a
  Sync, so PgBouncer keeps the same server connection until the statement ran), and
  nothing is left behind on the server connections.
- Startup parameters: PgBouncer tracks and re-applies only a few (`TRACKED_PARAMETERS`)
  and refuses the others; those are given to every server connection by PgBouncer's
  `connect_query` (or the role's `ALTER ROLE ... SET`), which `connect_query()` writes;
  the app checks at start that they hold (`warn_of_settings_not_applied`).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

# PostgreSQL's default (4) prices a random page read as a spinning disk's: on a catalog that
# fits in memory (or on SSDs) it makes the planner scan whole small tables, or hash them,
# for each row of a compiled answer instead of looking one row up by its key (a page of 20
# services: 3.6 ms -> 2.7 ms in PostgreSQL with 1.1, the value usual for SSDs).
RANDOM_PAGE_COST = "1.1"

# Directly, asyncpg keeps each statement prepared on its connection: plan it once. With the
# default (`auto`) PostgreSQL re-planned the compiled read path's statement on every run
# (~0.7 ms, a fifth of a page of 20 in PostgreSQL), its generic plan looking a little dearer
# than the average custom one only because a walk's last page has fewer rows to build. The
# KPI roll-up (written for generic plans: service_levels/metric_sql.py) and search measured
# the same with it (bench/README.md, "Planned once"). Through a transaction pooler nothing
# is kept: each statement is planned for its values.
KEPT_STATEMENT_SETTINGS = {"plan_cache_mode": "force_generic_plan"}

# The startup parameters PgBouncer remembers per client and sets on the server connection
# each transaction lands on.
TRACKED_PARAMETERS = frozenset(
    {"application_name", "client_encoding", "datestyle", "timezone", "standard_conforming_strings"}
)


def session_settings(statement_timeout_ms: int | None = None) -> dict[str, str]:
    """Every setting our engines' connections run with."""
    settings = {
        "application_name": "service-catalog",
        "timezone": "UTC",
        "random_page_cost": RANDOM_PAGE_COST,
    }
    if statement_timeout_ms is not None:
        settings["statement_timeout"] = str(statement_timeout_ms)
    return settings


def startup_parameters(
    statement_timeout_ms: int | None = None, *, transaction_pooler: bool = False
) -> dict[str, str]:
    """asyncpg's `server_settings`: all of them, or through a pooler the tracked ones."""
    wanted = session_settings(statement_timeout_ms)
    if not transaction_pooler:
        return wanted | KEPT_STATEMENT_SETTINGS
    return {name: value for name, value in wanted.items() if name in TRACKED_PARAMETERS}


def untracked_settings(statement_timeout_ms: int | None = None) -> dict[str, str]:
    """The settings a pooler cannot pass on from our startup packet."""
    wanted = session_settings(statement_timeout_ms)
    return {name: value for name, value in wanted.items() if name not in TRACKED_PARAMETERS}


def connect_query(statement_timeout_ms: int | None = None) -> str:
    """The `SET`s a pooler's `connect_query` runs on each new server connection."""
    wanted = untracked_settings(statement_timeout_ms)
    return "; ".join(f"SET {name} = '{value}'" for name, value in wanted.items())


def pooled_connect_args() -> dict[str, Any]:
    """The connect arguments of an engine behind a transaction pooler: no statement cache,
    asyncpg's (`statement_cache_size`) nor SQLAlchemy's (`prepared_statement_cache_size`),
    so every statement is prepared unnamed in the transaction that runs it."""
    return {"statement_cache_size": 0, "prepared_statement_cache_size": 0}


async def warn_of_settings_not_applied(
    engine: AsyncEngine, statement_timeout_ms: int | None = None
) -> list[str]:
    """Through a pooler: log (and return) each setting a server connection runs without,
    such as a `connect_query` left out or a timeout that differs from ours."""
    wanted = untracked_settings(statement_timeout_ms)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT name, setting FROM pg_settings WHERE name = ANY(:names)"),
                {"names": sorted(wanted)},
            )
            running: dict[str, str] = dict(rows.all())
    except Exception as error:  # the database may be down at start: not ours to refuse
        logger.warning("could not read the pooler's session settings (%s)", error)
        return []
    differing = [
        f"{name} is {running.get(name)!r}, not {value!r}"
        for name, value in wanted.items()
        if running.get(name) != value
    ]
    if differing:
        logger.warning(
            "through the transaction pooler, %s: set them in its connect_query or with"
            " ALTER ROLE ... SET (docs/deploying-with-pgbouncer.md)",
            "; ".join(differing),
        )
    return differing
