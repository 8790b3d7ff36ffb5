"""SCIM Groups: the groups the IdP pushes (`scim_group`, at most one per team, matched by
externalId or displayName against a team's slug or name) and their members
(`scim_group_member`, people by SCIM user id). Members of a mapped group are team members.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 04:24:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scim_group",
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_scim_group_team_id_team"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_group")),
    )
    op.create_index(
        "uq_scim_group_issuer_display_name",
        "scim_group",
        ["issuer", sa.text("lower(display_name)")],
        unique=True,
    )
    op.create_index("uq_scim_group_team_id", "scim_group", ["team_id"], unique=True)
    op.create_table(
        "scim_group_member",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("display", sa.String(length=256), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["scim_group.id"],
            name=op.f("fk_scim_group_member_group_id_scim_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_scim_group_member_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "person_id", name=op.f("pk_scim_group_member")),
    )
    op.create_index(
        "ix_scim_group_member_person_id", "scim_group_member", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_scim_group_member_person_id", table_name="scim_group_member")
    op.drop_table("scim_group_member")
    op.drop_index("uq_scim_group_team_id", table_name="scim_group")
    op.drop_index("uq_scim_group_issuer_display_name", table_name="scim_group")
    op.drop_table("scim_group")
