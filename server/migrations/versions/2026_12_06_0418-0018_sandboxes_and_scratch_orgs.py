"""Sandboxes and scratch orgs (issue 19): snapshots of each production org's sandboxes
(Tooling API SandboxInfo, SandboxProcess) and each Dev Hub's scratch orgs (ScratchOrgInfo),
refreshed by the `salesforce-sandboxes` job. No history trigger: Salesforce owns these rows.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "salesforce_sandbox",
        sa.Column("production_org_id", sa.Uuid(), nullable=False),
        sa.Column("salesforce_id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("licence_type", sa.String(length=40), nullable=True),
        sa.Column("sandbox_org_id", sa.String(length=18), nullable=True),
        sa.Column("registered_org_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("sandbox_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_name", sa.String(length=80), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["production_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_salesforce_sandbox_production_org_id_salesforce_org"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registered_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_salesforce_sandbox_registered_org_id_salesforce_org"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salesforce_sandbox")),
        sa.UniqueConstraint(
            "production_org_id",
            "salesforce_id",
            name=op.f("uq_salesforce_sandbox_production_org_id_salesforce_id"),
        ),
    )
    op.create_index(
        "ix_salesforce_sandbox_registered_org_id",
        "salesforce_sandbox",
        ["registered_org_id"],
        unique=False,
    )
    op.create_table(
        "salesforce_scratch_org",
        sa.Column("dev_hub_org_id", sa.Uuid(), nullable=False),
        sa.Column("salesforce_id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("scratch_org_id", sa.String(length=18), nullable=True),
        sa.Column("registered_org_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("scratch_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_username", sa.String(length=255), nullable=True),
        sa.Column("created_by_email", sa.String(length=320), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["dev_hub_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_salesforce_scratch_org_dev_hub_org_id_salesforce_org"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registered_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_salesforce_scratch_org_registered_org_id_salesforce_org"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salesforce_scratch_org")),
        sa.UniqueConstraint(
            "dev_hub_org_id",
            "salesforce_id",
            name=op.f("uq_salesforce_scratch_org_dev_hub_org_id_salesforce_id"),
        ),
    )
    op.create_index(
        "ix_salesforce_scratch_org_expires_on",
        "salesforce_scratch_org",
        ["expires_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_salesforce_scratch_org_expires_on", table_name="salesforce_scratch_org")
    op.drop_table("salesforce_scratch_org")
    op.drop_index("ix_salesforce_sandbox_registered_org_id", table_name="salesforce_sandbox")
    op.drop_table("salesforce_sandbox")
