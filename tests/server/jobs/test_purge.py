"""`purge`: each kind past its retention removed in batches, reported and audited."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import make_engine, make_sessionmaker
from core.settings import Settings, load_settings
from server.jobs.purge import purge

COMMAND = Path(sys.executable).parent / "service-catalog"

ROWS = """
INSERT INTO audit_event (action, outcome, at)
SELECT 'old', 'SUCCESS', now() - interval '500 days' FROM generate_series(1, 7);
INSERT INTO audit_event (action, outcome, at)
VALUES ('recent', 'SUCCESS', now() - interval '10 days');
INSERT INTO record_version (table_name, record_id, version, action, at)
SELECT 'service', gen_random_uuid(), 1, 'CREATE', now() - interval '3000 days'
FROM generate_series(1, 4);
INSERT INTO idempotency_key (scope, key, request_hash, response_status, response_body, expires_at)
VALUES ('s', 'expired', 'h', 201, '{}', now() - interval '1 hour'),
       ('s', 'live', 'h', 201, '{}', now() + interval '1 hour');
INSERT INTO login_state (key, value, expires_at)
VALUES ('expired', 'v', now() - interval '1 minute'), ('live', 'v', now() + interval '1 minute');
"""


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(fresh_database)
    async with engine.begin() as connection:
        for statement in ROWS.split(";"):
            if statement.strip():
                await connection.execute(text(statement))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


def settings(**overrides: int) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


async def count(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text(sql)) or 0)


async def test_purge_removes_each_kind_past_its_retention_in_batches(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    report = await purge(sessionmaker, settings(retention_history_days=365), batch_size=3)

    assert report.removed == {
        "audit events": 7,
        "history": 4,
        "idempotency keys": 1,
        "login states": 1,
        "browser sessions": 0,
    }
    assert await count(engine, "SELECT count(*) FROM audit_event WHERE action = 'old'") == 0
    assert await count(engine, "SELECT count(*) FROM audit_event WHERE action = 'recent'") == 1
    assert await count(engine, "SELECT count(*) FROM idempotency_key") == 1
    assert await count(engine, "SELECT count(*) FROM login_state WHERE key = 'live'") == 1
    async with engine.connect() as connection:
        details = await connection.scalar(
            text("SELECT details FROM audit_event WHERE action = 'PURGE'")
        )
    assert details["removed"]["audit_event"] == 7
    assert details["removed"]["record_version"] == 4


async def test_zero_days_keeps_a_kind_forever(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    report = await purge(sessionmaker, settings(retention_audit_days=0))

    assert "audit events" not in report.removed
    assert "history" not in report.removed  # CATALOG_RETENTION_HISTORY_DAYS defaults to 0
    assert report.kept_forever == ["audit events", "history"]
    assert await count(engine, "SELECT count(*) FROM audit_event WHERE action = 'old'") == 7
    assert await count(engine, "SELECT count(*) FROM record_version") == 4


async def test_audit_events_stay_append_only_outside_purge(engine: AsyncEngine) -> None:
    with pytest.raises(Exception, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM audit_event"))


def test_the_command_prints_what_it_removed(engine: AsyncEngine, fresh_database: str) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env |= {"CATALOG_DATABASE_URL": fresh_database, "CATALOG_RETENTION_HISTORY_DAYS": "30"}

    done = subprocess.run(
        [str(COMMAND), "purge"], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "purged 7 audit events",
        "purged 4 history",
        "purged 1 idempotency keys",
        "purged 1 login states",
        "purged 0 browser sessions",
    ]
