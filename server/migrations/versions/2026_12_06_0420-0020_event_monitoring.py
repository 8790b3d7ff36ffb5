"""Event Monitoring: each service's Salesforce footprint (apps, objects, permission sets), and
what the `salesforce-event-logs` job keeps of each org's EventLogFile logs — whether the org
is licensed, a cursor per event type, the daily activity adoption counts, the reads and
exports of sensitive objects with their anomalies, and each user's baseline.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 04:20:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOOTPRINT = ("salesforce_apps", "salesforce_objects", "salesforce_permission_sets")


def _org_id(table: str) -> list[Any]:
    return [
        sa.Column("salesforce_org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["salesforce_org_id"],
            ["salesforce_org.id"],
            name=op.f(f"fk_{table}_salesforce_org_id_salesforce_org"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    for name in FOOTPRINT:
        op.add_column(
            "service",
            sa.Column(
                name, postgresql.ARRAY(sa.String(length=255)), server_default="{}", nullable=False
            ),
        )
    op.create_table(
        "salesforce_event_monitoring",
        *_org_id("salesforce_event_monitoring"),
        sa.Column("licensed", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_report", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("salesforce_org_id", name=op.f("pk_salesforce_event_monitoring")),
    )
    op.create_table(
        "salesforce_event_log_cursor",
        *_org_id("salesforce_event_log_cursor"),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("log_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("log_file_id", sa.String(length=18), nullable=False),
        sa.Column("files", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows", sa.Integer(), server_default="0", nullable=False),
        sa.Column("skipped_rows", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "salesforce_org_id", "event_type", name=op.f("pk_salesforce_event_log_cursor")
        ),
    )
    op.create_table(
        "salesforce_activity",
        *_org_id("salesforce_activity"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=18), nullable=False),
        sa.Column("session_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "salesforce_org_id",
            "day",
            "kind",
            "name",
            "user_id",
            "session_key",
            name=op.f("pk_salesforce_activity"),
        ),
    )
    op.create_index(
        "ix_salesforce_activity_org_kind_name_day",
        "salesforce_activity",
        ["salesforce_org_id", "kind", "name", "day"],
    )
    op.create_table(
        "salesforce_data_access",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        *_org_id("salesforce_data_access"),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("object_name", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=18), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("source_ip", sa.String(length=45), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("country_iso", sa.String(length=3), nullable=True),
        sa.Column(
            "anomalies",
            postgresql.ARRAY(sa.String(length=20)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("log_file_id", sa.String(length=18), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salesforce_data_access")),
        sa.UniqueConstraint(
            "salesforce_org_id",
            "event_key",
            name=op.f("uq_salesforce_data_access_salesforce_org_id_event_key"),
        ),
    )
    op.create_index(
        "ix_salesforce_data_access_org_object_at",
        "salesforce_data_access",
        ["salesforce_org_id", "object_name", "at"],
    )
    op.create_table(
        "salesforce_user_baseline",
        *_org_id("salesforce_user_baseline"),
        sa.Column("user_id", sa.String(length=18), nullable=False),
        sa.Column(
            "countries",
            postgresql.ARRAY(sa.String(length=100)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "country_days", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False
        ),
        sa.Column(
            "ip_ranges", postgresql.ARRAY(sa.String(length=50)), server_default="{}", nullable=False
        ),
        sa.Column(
            "ip_range_days", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False
        ),
        sa.Column("hour_days", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("hour_last_day", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("active_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_active_day", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "salesforce_org_id", "user_id", name=op.f("pk_salesforce_user_baseline")
        ),
    )


def downgrade() -> None:
    op.drop_table("salesforce_user_baseline")
    op.drop_index("ix_salesforce_data_access_org_object_at", table_name="salesforce_data_access")
    op.drop_table("salesforce_data_access")
    op.drop_index("ix_salesforce_activity_org_kind_name_day", table_name="salesforce_activity")
    op.drop_table("salesforce_activity")
    op.drop_table("salesforce_event_log_cursor")
    op.drop_table("salesforce_event_monitoring")
    for name in reversed(FOOTPRINT):
        op.drop_column("service", name)
