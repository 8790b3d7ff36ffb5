"""audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 05:55:21.046157
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log is append-only: refuses any UPDATE, and any DELETE except by `purge` (which
# sets catalog.purging). Frozen here: a migration never imports live code.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('catalog.purging', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$
"""
APPEND_ONLY_TRIGGER = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION catalog_audit_append_only()"
)


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target_type", sa.String(length=100), nullable=True),
        sa.Column("target_id", sa.Text(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "SUCCESS",
                "REFUSED",
                "DENIED",
                "FAILED",
                name="audit_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=200), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_actor_at", "audit_event", ["actor", "at"], unique=False)
    op.create_index("ix_audit_event_at_id", "audit_event", ["at", "id"], unique=False)
    op.execute(APPEND_ONLY_FUNCTION)
    op.execute(APPEND_ONLY_TRIGGER)
    op.create_index(
        "ix_audit_event_target", "audit_event", ["target_type", "target_id"], unique=False
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS catalog_audit_append_only()")
    op.drop_index("ix_audit_event_target", table_name="audit_event")
    op.drop_index("ix_audit_event_at_id", table_name="audit_event")
    op.drop_index("ix_audit_event_actor_at", table_name="audit_event")
    op.drop_table("audit_event")
