"""Search across everything: a generated, weighted `search_vector` (tsvector, STORED) with a
GIN index on each searchable table, a trigram GIN index on each name or title, and history
ignoring `search_vector` (it is derived from columns history already keeps).

Weights: name or title A, summary B, body C; each in the `simple` and `english`
configurations.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 04:22:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MIGRATION_0011 = Path(__file__).with_name("2026_11_27_0710-0011_sla_clock_stamps.py")

# table: (the title column, then the columns weighted A, B and C). Frozen here.
SEARCHABLE: dict[str, tuple[str, str, str | None, str | None]] = {
    "service": ("name", "name", "slug", "description"),
    "team": ("name", "name", "slug", None),
    "person": ("display_name", "display_name", "email", None),
    "salesforce_org": ("name", "name", None, None),
    "service_request": ("title", "title", "vendor_case_number", "body"),
    "incident": ("title", "title", "alert_key", "root_cause"),
    "feedback": ("title", "title", None, "body"),
    "backlog_item": ("title", "title", None, "description"),
    "release": ("name", "name", "version_label", None),
    "sla": ("name", "name", None, "description"),
    "ai_model": ("name", "name", None, "purpose"),
}


def _vector(a: str, b: str | None, c: str | None) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{config}'::regconfig, coalesce({column}, '')), '{weight}')"
        for weight, column in zip("ABC", (a, b, c), strict=True)
        if column is not None
        for config in ("simple", "english")
    )


def _trigger_function_0011() -> str:
    """The history trigger as 0011 made it (read from that migration, which stays frozen)."""
    spec = importlib.util.spec_from_file_location("migration_0011", _MIGRATION_0011)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.TRIGGER_FUNCTION_0011)


def _trigger_function_0013() -> str:
    """0013's: 0011's also ignoring `warning_at` (as 0013 made it)."""
    before = _trigger_function_0011()
    after = before.replace("'breach_at'];", "'breach_at', 'warning_at'];")
    assert after != before
    return after


def _trigger_function_0022() -> str:
    return _trigger_function_0013().replace("'warning_at'];", "'warning_at', 'search_vector'];")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(_trigger_function_0022())
    for table, (title, a, b, c) in SEARCHABLE.items():
        op.add_column(
            table,
            sa.Column(
                "search_vector",
                TSVECTOR(),
                sa.Computed(_vector(a, b, c), persisted=True),
                nullable=True,
            ),
        )
        op.create_index(
            f"ix_{table}_search_vector", table, ["search_vector"], postgresql_using="gin"
        )
        op.create_index(
            f"ix_{table}_{title}_trgm",
            table,
            [title],
            postgresql_using="gin",
            postgresql_ops={title: "gin_trgm_ops"},
        )


def downgrade() -> None:
    for table, (title, _a, _b, _c) in SEARCHABLE.items():
        op.drop_index(f"ix_{table}_{title}_trgm", table_name=table)
        op.drop_index(f"ix_{table}_search_vector", table_name=table)
        op.drop_column(table, "search_vector")
    op.execute(_trigger_function_0013())
