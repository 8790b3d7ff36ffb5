"""Salesforce Ideas both ways: Idea links with their totals, their Votes (people's or
external), a sync cursor per org, the outbox of write-backs, and Feedback.external_vote_count.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "feedback",
        sa.Column("external_vote_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.create_table(
        "feedback_salesforce_idea",
        sa.Column("feedback_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.String(length=18), nullable=False),
        sa.Column("idea_id", sa.String(length=18), nullable=False),
        sa.Column("vote_total", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("vote_score", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_feedback_salesforce_idea_feedback_id_feedback"),
        ),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_salesforce_idea")),
        sa.UniqueConstraint(
            "org_id", "idea_id", name=op.f("uq_feedback_salesforce_idea_org_id_idea_id")
        ),
    )
    op.create_table(
        "feedback_salesforce_vote",
        sa.Column("feedback_id", sa.Uuid(), nullable=False),
        sa.Column("vote_id", sa.String(length=18), nullable=False),
        sa.Column("up", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.String(length=18), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_feedback_salesforce_vote_feedback_id_feedback"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_feedback_salesforce_vote_person_id_person")
        ),
        sa.PrimaryKeyConstraint("feedback_id", "vote_id", name=op.f("pk_feedback_salesforce_vote")),
    )
    op.create_index(
        "ix_feedback_salesforce_vote_person_id", "feedback_salesforce_vote", ["person_id"]
    )
    op.create_table(
        "salesforce_idea_cursor",
        sa.Column("org_id", sa.String(length=18), nullable=False),
        sa.Column("modified_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "synced_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_salesforce_idea_cursor")),
    )
    op.create_table(
        "salesforce_idea_write_back",
        sa.Column("feedback_id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.String(length=18), nullable=False),
        sa.Column("idea_id", sa.String(length=18), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_salesforce_idea_write_back_feedback_id_feedback"),
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["release.id"],
            name=op.f("fk_salesforce_idea_write_back_release_id_release"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salesforce_idea_write_back")),
        sa.UniqueConstraint(
            "feedback_id",
            "release_id",
            name=op.f("uq_salesforce_idea_write_back_feedback_id_release_id"),
        ),
    )
    op.create_index(
        "ix_salesforce_idea_write_back_pending",
        "salesforce_idea_write_back",
        ["next_attempt_at"],
        postgresql_where=sa.text("sent_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_salesforce_idea_write_back_pending", table_name="salesforce_idea_write_back")
    op.drop_table("salesforce_idea_write_back")
    op.drop_table("salesforce_idea_cursor")
    op.drop_index("ix_feedback_salesforce_vote_person_id", table_name="feedback_salesforce_vote")
    op.drop_table("feedback_salesforce_vote")
    op.drop_table("feedback_salesforce_idea")
    op.drop_column("feedback", "external_vote_count")
