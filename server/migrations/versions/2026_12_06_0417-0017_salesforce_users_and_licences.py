"""Salesforce users and licences (issue 19): each connected org's active users as the last
reconciliation found them (matched to people, frozen or not), its licence types with the
counts Salesforce reports, and each org's reconciliation (last success, due mark).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "salesforce_org_licence",
        sa.Column("salesforce_org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["salesforce_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_salesforce_org_licence_salesforce_org_id_salesforce_org"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salesforce_org_licence")),
        sa.UniqueConstraint(
            "salesforce_org_id",
            "name",
            name=op.f("uq_salesforce_org_licence_salesforce_org_id_name"),
        ),
    )
    op.create_table(
        "salesforce_org_user",
        sa.Column("salesforce_org_id", sa.Uuid(), nullable=False),
        sa.Column("salesforce_user_id", sa.String(length=18), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("federation_id", sa.String(length=512), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_frozen", sa.Boolean(), nullable=False),
        sa.Column("profile_name", sa.String(length=255), nullable=True),
        sa.Column("licence_name", sa.String(length=100), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_salesforce_org_user_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["salesforce_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_salesforce_org_user_salesforce_org_id_salesforce_org"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salesforce_org_user")),
        sa.UniqueConstraint(
            "salesforce_org_id",
            "salesforce_user_id",
            name=op.f("uq_salesforce_org_user_salesforce_org_id_salesforce_user_id"),
        ),
    )
    op.create_index(
        op.f("ix_salesforce_org_user_person_id"), "salesforce_org_user", ["person_id"], unique=False
    )
    op.create_table(
        "salesforce_user_sync",
        sa.Column("salesforce_org_id", sa.Uuid(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["salesforce_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_salesforce_user_sync_salesforce_org_id_salesforce_org"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("salesforce_org_id", name=op.f("pk_salesforce_user_sync")),
    )
    op.create_index(
        op.f("ix_salesforce_user_sync_due_at"), "salesforce_user_sync", ["due_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_salesforce_user_sync_due_at"), table_name="salesforce_user_sync")
    op.drop_table("salesforce_user_sync")
    op.drop_index(op.f("ix_salesforce_org_user_person_id"), table_name="salesforce_org_user")
    op.drop_table("salesforce_org_user")
    op.drop_table("salesforce_org_licence")
