"""Migrations match the models (`alembic check`), go down and up again, and have dated names."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_engine
from server.migrations import VERSIONS, alembic_config, downgrade, head_revisions, migrate
from server.registry import metadata

DATED_NAME = re.compile(
    r"^(?P<date>\d{4}_\d{2}_\d{2}_\d{4})-(?P<revision>[0-9a-z]+)_(?P<slug>[0-9a-z_]+)\.py$"
)

# Alembic cannot compare an expression index whose operator class is written inside the
# expression (ix_service_search's gin_trgm_ops); it warns and skips that one index.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*in index 'ix_service_search' detected to include an operator clause:UserWarning"
)


def _differences(connection: Connection) -> list[Any]:
    """What `alembic check` would report: the operations a new revision would need."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def _drift(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        return await connection.run_sync(_differences)


async def test_migrated_database_matches_the_models(engine: AsyncEngine) -> None:
    differences = await _drift(engine)

    assert differences == [], (
        "the models and the migrations disagree; write a migration "
        "(alembic revision --autogenerate -m '...') and review it:\n"
        + "\n".join(repr(difference) for difference in differences)
    )


async def test_downgrade_to_base_then_upgrade_to_head(fresh_database: str) -> None:
    await downgrade(fresh_database, "base")
    engine = make_engine(fresh_database)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_current) == set()

        await migrate(fresh_database)

        async with engine.connect() as connection:
            assert await connection.run_sync(_current) == head_revisions()
        assert await _drift(engine) == []
    finally:
        await engine.dispose()


def test_there_is_one_head() -> None:
    assert len(head_revisions()) == 1, f"merge the heads: {sorted(head_revisions())}"


def test_migration_files_have_dated_names() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())
    assert revisions
    for revision in revisions:
        assert revision.path is not None
        name = Path(revision.path).name
        match = DATED_NAME.match(name)
        assert match, f"{name}: expected YYYY_MM_DD_HHMM-<rev>_<slug>.py"
        datetime.strptime(match["date"], "%Y_%m_%d_%H%M")  # a real date and time
        assert match["revision"] == revision.revision, f"{name}: revision {revision.revision!r}"


def test_versions_folder_holds_only_migrations() -> None:
    strays = [
        path.name
        for path in VERSIONS.glob("*.py")
        if path.name != "__init__.py" and not DATED_NAME.match(path.name)
    ]
    assert strays == []
