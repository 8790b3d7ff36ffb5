"""browser sign-in

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 06:14:17.661302
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_state",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_state")),
    )
    op.create_index(op.f("ix_login_state_expires_at"), "login_state", ["expires_at"], unique=False)
    op.create_table(
        "browser_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("group_roles", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_browser_session_person_id_person")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_browser_session")),
    )
    op.create_index(
        "ix_browser_session_expires_at", "browser_session", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_browser_session_person_id"), "browser_session", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_browser_session_person_id"), table_name="browser_session")
    op.drop_index("ix_browser_session_expires_at", table_name="browser_session")
    op.drop_table("browser_session")
    op.drop_index(op.f("ix_login_state_expires_at"), table_name="login_state")
    op.drop_table("login_state")
