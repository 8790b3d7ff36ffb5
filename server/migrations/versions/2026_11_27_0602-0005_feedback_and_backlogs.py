"""feedback and backlogs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 06:02:04.679640
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

VERSIONED_TABLES = ("backlog", "backlog_item")

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
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
        "idempotency_key",
        sa.Column("scope", sa.String(length=400), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.SmallInteger(), nullable=False),
        sa.Column("response_body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_key")),
    )
    op.create_index(
        "ix_idempotency_key_expires_at", "idempotency_key", ["expires_at"], unique=False
    )
    op.create_table(
        "backlog",
        sa.Column("team_id", sa.Uuid(), nullable=False),
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
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_backlog_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog")),
        sa.UniqueConstraint("team_id", name=op.f("uq_backlog_team_id")),
    )
    op.create_table(
        "backlog_item",
        sa.Column("backlog_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column(
            "type",
            sa.Enum(
                "FEATURE",
                "DEFECT",
                "HOTFIX",
                "VULNERABILITY",
                "TECH_DEBT",
                "IDEA",
                name="backlog_item_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "NEW",
                "READY",
                "IN_SPRINT",
                "IN_DESIGN_REVIEW",
                "DONE",
                "RELEASED",
                "DECLINED",
                name="backlog_item_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="NEW",
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("rank", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("estimate", sa.Integer(), nullable=True),
        sa.Column(
            "needs_design_review", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_type", sa.String(length=40), nullable=True),
        sa.Column("source_id", sa.Uuid(), nullable=True),
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
            ["backlog_id"], ["backlog.id"], name=op.f("fk_backlog_item_backlog_id_backlog")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_backlog_item_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_item")),
    )
    op.create_index(
        "ix_backlog_item_backlog_id_rank",
        "backlog_item",
        ["backlog_id", "rank", "id"],
        unique=False,
    )
    op.create_index("ix_backlog_item_service_id", "backlog_item", ["service_id"], unique=False)
    op.create_index(op.f("ix_backlog_item_source_id"), "backlog_item", ["source_id"], unique=False)
    op.create_table(
        "feedback",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "IDEA",
                "BUG",
                "PRAISE",
                "QUESTION",
                name="feedback_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "API",
                "GRAPHQL",
                "SALESFORCE_IDEAS",
                name="feedback_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "NEW",
                "UNDER_REVIEW",
                "PLANNED",
                "DELIVERED",
                "DECLINED",
                "DUPLICATE",
                name="feedback_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="NEW",
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("backlog_item_id", sa.Uuid(), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("vote_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("voter_team_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
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
            "char_length(body) BETWEEN 1 AND 10000", name=op.f("ck_feedback_body_length")
        ),
        sa.CheckConstraint(
            "char_length(title) BETWEEN 1 AND 200", name=op.f("ck_feedback_title_length")
        ),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id",
            name=op.f("ck_feedback_not_self_merged"),
        ),
        sa.CheckConstraint(
            "rating IS NULL OR rating BETWEEN 1 AND 5", name=op.f("ck_feedback_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["person.id"], name=op.f("fk_feedback_author_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["backlog_item_id"],
            ["backlog_item.id"],
            name=op.f("fk_feedback_backlog_item_id_backlog_item"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["feedback.id"], name=op.f("fk_feedback_merged_into_id_feedback")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_feedback_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_feedback_channel_external_id")),
    )
    op.create_index("ix_feedback_author_id", "feedback", ["author_id"], unique=False)
    op.create_index(
        op.f("ix_feedback_backlog_item_id"), "feedback", ["backlog_item_id"], unique=False
    )
    op.create_index("ix_feedback_created_at_id", "feedback", ["created_at", "id"], unique=False)
    op.create_index(
        "ix_feedback_score_id",
        "feedback",
        [sa.literal_column("score DESC NULLS LAST"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        "ix_feedback_service_id_created_at_id",
        "feedback",
        ["service_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_feedback_service_id_score_id",
        "feedback",
        ["service_id", sa.literal_column("score DESC NULLS LAST"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_table(
        "feedback_status_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("feedback_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "NEW",
                "UNDER_REVIEW",
                "PLANNED",
                "DELIVERED",
                "DECLINED",
                "DUPLICATE",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "NEW",
                "UNDER_REVIEW",
                "PLANNED",
                "DELIVERED",
                "DECLINED",
                "DUPLICATE",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_feedback_status_change_feedback_id_feedback"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_status_change")),
    )
    op.create_index(
        "ix_feedback_status_change_feedback_id_at",
        "feedback_status_change",
        ["feedback_id", "at"],
        unique=False,
    )
    op.create_table(
        "feedback_vote",
        sa.Column("feedback_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name=op.f("fk_feedback_vote_feedback_id_feedback")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_feedback_vote_person_id_person")
        ),
        sa.PrimaryKeyConstraint("feedback_id", "person_id", name=op.f("pk_feedback_vote")),
    )
    op.create_index("ix_feedback_vote_person_id", "feedback_vote", ["person_id"], unique=False)
    for table in VERSIONED_TABLES:
        op.execute(enable_history(table))


def downgrade() -> None:
    for table in VERSIONED_TABLES:
        op.execute(disable_history(table))
    op.drop_index("ix_feedback_vote_person_id", table_name="feedback_vote")
    op.drop_table("feedback_vote")
    op.drop_index("ix_feedback_status_change_feedback_id_at", table_name="feedback_status_change")
    op.drop_table("feedback_status_change")
    op.drop_index("ix_feedback_service_id_score_id", table_name="feedback")
    op.drop_index("ix_feedback_service_id_created_at_id", table_name="feedback")
    op.drop_index("ix_feedback_score_id", table_name="feedback")
    op.drop_index("ix_feedback_created_at_id", table_name="feedback")
    op.drop_index(op.f("ix_feedback_backlog_item_id"), table_name="feedback")
    op.drop_index("ix_feedback_author_id", table_name="feedback")
    op.drop_table("feedback")
    op.drop_index(op.f("ix_backlog_item_source_id"), table_name="backlog_item")
    op.drop_index("ix_backlog_item_service_id", table_name="backlog_item")
    op.drop_index("ix_backlog_item_backlog_id_rank", table_name="backlog_item")
    op.drop_table("backlog_item")
    op.drop_table("backlog")
    op.drop_index("ix_idempotency_key_expires_at", table_name="idempotency_key")
    op.drop_table("idempotency_key")
