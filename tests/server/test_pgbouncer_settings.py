"""CATALOG_DATABASE_POOLER and CATALOG_DATABASE_DIRECT_URL: what they accept and refuse, and
where the direct URL is used (LISTEN, migrations)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from core.db import async_url, listen_dsn, make_engine
from core.db_pooler import connect_query
from core.settings import Settings, SettingsError, load_settings
from server.jobs.scheduler import lock_engine_for

BOUNCED = "postgresql://catalog@pgbouncer:6432/catalog"
DIRECT = "postgresql://catalog@postgres:5432/catalog"


def _settings(**overrides: Any) -> Settings:
    return load_settings(_env_file=None, **overrides)


def test_a_transaction_pooler_without_a_direct_url_is_refused_naming_it() -> None:
    with pytest.raises(SettingsError, match=r"^CATALOG_DATABASE_DIRECT_URL: behind a transaction"):
        _settings(database_url=BOUNCED, database_pooler="pgbouncer-transaction")


def test_an_unknown_pooler_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"^CATALOG_DATABASE_POOLER: "):
        _settings(database_url=BOUNCED, database_pooler="pgpool", database_direct_url=DIRECT)


def test_a_direct_url_must_be_postgres() -> None:
    with pytest.raises(SettingsError, match=r"^CATALOG_DATABASE_DIRECT_URL: must start with"):
        _settings(database_url=BOUNCED, database_direct_url="mysql://db/catalog")


def test_migrations_and_listen_use_the_direct_url_of_the_configured_database() -> None:
    settings = _settings(
        database_url=BOUNCED, database_pooler="pgbouncer-transaction", database_direct_url=DIRECT
    )
    engine = make_engine(BOUNCED, **settings.pool_options)

    assert settings.direct_database_url(BOUNCED) == DIRECT
    # Another database (the embedded one) is its own direct URL.
    assert settings.direct_database_url("postgresql://x@127.0.0.1:5433/y") == (
        "postgresql://x@127.0.0.1:5433/y"
    )
    assert listen_dsn(engine, settings.database_direct_url) == DIRECT
    assert listen_dsn(engine) == BOUNCED


def test_job_locks_go_direct_behind_a_transaction_pooler_only() -> None:
    pooled = _settings(
        database_url=BOUNCED, database_pooler="pgbouncer-transaction", database_direct_url=DIRECT
    )
    locks = lock_engine_for(pooled)

    assert locks is not None
    assert locks.url.render_as_string(hide_password=False) == async_url(DIRECT)
    # Without a pooler the jobs take their locks on their own engine.
    assert lock_engine_for(_settings(database_url=DIRECT)) is None


def test_the_shipped_pgbouncer_ini_sets_what_pgbouncer_cannot_pass_on() -> None:
    ini = (Path(__file__).parents[2] / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()
    found = re.search(r"connect_query='((?:[^']|'')*)'", ini)
    # The default, not this run's (tests/conftest.py raises it).
    default_timeout = Settings.model_fields["statement_timeout_ms"].default

    assert found is not None
    assert found[1].replace("''", "'") == connect_query(default_timeout)
    assert re.search(r"(?m)^pool_mode = transaction$", ini)
