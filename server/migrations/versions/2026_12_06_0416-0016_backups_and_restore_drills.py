"""Backups and restore drills of Salesforce orgs (append-only evidence of data-loss readiness).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 04:16:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "backup",
        sa.Column("salesforce_org_id", sa.Uuid(), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "FULL",
                "METADATA",
                "DATA",
                "INCREMENTAL",
                name="backup_scope",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "SUCCEEDED",
                "FAILED",
                "PARTIAL",
                name="backup_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("records", sa.BigInteger(), nullable=True),
        sa.Column("location", sa.String(length=2000), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "finished_at >= started_at", name=op.f("ck_backup_finished_after_started")
        ),
        sa.CheckConstraint("records >= 0", name=op.f("ck_backup_records_not_negative")),
        sa.ForeignKeyConstraint(
            ["salesforce_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_backup_salesforce_org_id_salesforce_org"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup")),
        sa.UniqueConstraint(
            "salesforce_org_id",
            "external_id",
            name=op.f("uq_backup_salesforce_org_id_external_id"),
        ),
    )
    op.create_index(
        "ix_backup_salesforce_org_id_finished_at_id",
        "backup",
        ["salesforce_org_id", "finished_at", "id"],
        unique=False,
    )
    op.create_table(
        "restore_drill",
        sa.Column("salesforce_org_id", sa.Uuid(), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "SUCCEEDED",
                "FAILED",
                "PARTIAL",
                name="restore_drill_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("records_restored", sa.BigInteger(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "duration_seconds >= 0", name=op.f("ck_restore_drill_duration_not_negative")
        ),
        sa.CheckConstraint(
            "records_restored >= 0", name=op.f("ck_restore_drill_records_restored_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["salesforce_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_restore_drill_salesforce_org_id_salesforce_org"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restore_drill")),
    )
    op.create_index(
        "ix_restore_drill_salesforce_org_id_performed_at_id",
        "restore_drill",
        ["salesforce_org_id", "performed_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_restore_drill_salesforce_org_id_performed_at_id", table_name="restore_drill")
    op.drop_table("restore_drill")
    op.drop_index("ix_backup_salesforce_org_id_finished_at_id", table_name="backup")
    op.drop_table("backup")
