"""dependency graph

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 06:02:47.851635
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

VERSIONED_TABLES = ("shared_resource", "dependency")

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
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


def upgrade() -> None:
    op.create_table(
        "shared_resource",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "INTEGRATION",
                "MIDDLEWARE",
                "IDENTITY_PROVIDER",
                "DATA_STORE",
                "OTHER",
                name="shared_resource_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owner_team_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
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
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["team.id"], name=op.f("fk_shared_resource_owner_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_resource")),
        sa.UniqueConstraint("name", name=op.f("uq_shared_resource_name")),
    )
    op.create_index("ix_shared_resource_name_id", "shared_resource", ["name", "id"], unique=False)
    op.create_index(
        "ix_shared_resource_owner_team_id", "shared_resource", ["owner_team_id"], unique=False
    )
    op.create_table(
        "dependency",
        sa.Column("source_service_id", sa.Uuid(), nullable=False),
        sa.Column("target_service_id", sa.Uuid(), nullable=True),
        sa.Column("target_resource_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "RUNTIME",
                "DATA",
                "AUTH",
                name="dependency_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
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
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "num_nonnulls(target_service_id, target_resource_id) = 1",
            name=op.f("ck_dependency_one_target"),
        ),
        sa.CheckConstraint(
            "target_service_id <> source_service_id", name=op.f("ck_dependency_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["source_service_id"],
            ["service.id"],
            name=op.f("fk_dependency_source_service_id_service"),
        ),
        sa.ForeignKeyConstraint(
            ["target_resource_id"],
            ["shared_resource.id"],
            name=op.f("fk_dependency_target_resource_id_shared_resource"),
        ),
        sa.ForeignKeyConstraint(
            ["target_service_id"],
            ["service.id"],
            name=op.f("fk_dependency_target_service_id_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dependency")),
        sa.UniqueConstraint(
            "source_service_id",
            "target_service_id",
            "target_resource_id",
            "kind",
            name=op.f("uq_dependency_source_target_kind"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        "ix_dependency_target_resource_id", "dependency", ["target_resource_id"], unique=False
    )
    op.create_index(
        "ix_dependency_target_service_id", "dependency", ["target_service_id"], unique=False
    )
    for table in VERSIONED_TABLES:
        op.execute(enable_history(table))


def downgrade() -> None:
    for table in VERSIONED_TABLES:
        op.execute(disable_history(table))
    op.drop_index("ix_dependency_target_service_id", table_name="dependency")
    op.drop_index("ix_dependency_target_resource_id", table_name="dependency")
    op.drop_table("dependency")
    op.drop_index("ix_shared_resource_owner_team_id", table_name="shared_resource")
    op.drop_index("ix_shared_resource_name_id", table_name="shared_resource")
    op.drop_table("shared_resource")
