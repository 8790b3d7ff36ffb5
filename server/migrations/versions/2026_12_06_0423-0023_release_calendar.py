"""The release calendar: freeze windows (with history), per-person calendar feed tokens (hash
only), the reason an ADMIN shipped inside a freeze, dependency criticality, and history for
measurements (a re-recorded value becomes a new version; the old one stays in history).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 04:23:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The history trigger on a table, as 0002 makes it (a frozen copy: a migration never imports
# live code).
def enable_history(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_record_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION catalog_record_version()"
    )


def disable_history(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_record_version ON {table}"


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def _freeze_window() -> None:
    op.create_table(
        "freeze_window",
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "scope", _enum("freeze_scope", "ORGANISATION", "SERVICE", "TEAM"), nullable=False
        ),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        *_timestamps(),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "(scope = 'ORGANISATION' AND service_id IS NULL AND team_id IS NULL)"
            " OR (scope = 'SERVICE' AND service_id IS NOT NULL AND team_id IS NULL)"
            " OR (scope = 'TEAM' AND team_id IS NOT NULL AND service_id IS NULL)",
            name=op.f("ck_freeze_window_scope_target"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_freeze_window_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_freeze_window_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_freeze_window_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freeze_window")),
    )
    op.create_index("ix_freeze_window_ends_at", "freeze_window", ["ends_at"])
    op.create_index("ix_freeze_window_service_id", "freeze_window", ["service_id"])
    op.create_index("ix_freeze_window_starts_at_id", "freeze_window", ["starts_at", "id"])
    op.create_index("ix_freeze_window_team_id", "freeze_window", ["team_id"])
    op.execute(enable_history("freeze_window"))


def _calendar_token() -> None:
    op.create_table(
        "calendar_token",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_calendar_token_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_token_token_hash")),
    )
    op.create_index(
        "ix_calendar_token_person_id_created_at", "calendar_token", ["person_id", "created_at"]
    )


def upgrade() -> None:
    _freeze_window()
    _calendar_token()
    op.add_column(
        "dependency",
        sa.Column(
            "criticality",
            _enum("dependency_criticality", "LOW", "MEDIUM", "HIGH", "CRITICAL"),
            server_default="MEDIUM",
            nullable=False,
        ),
    )
    op.add_column(
        "measurement",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.execute(enable_history("measurement"))
    op.add_column("release", sa.Column("freeze_override_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("release", "freeze_override_reason")
    op.execute(disable_history("measurement"))
    op.drop_column("measurement", "version")
    op.drop_column("dependency", "criticality")
    op.drop_table("calendar_token")
    op.execute(disable_history("freeze_window"))
    op.drop_table("freeze_window")
