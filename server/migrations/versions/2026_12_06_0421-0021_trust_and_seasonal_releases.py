"""Shared responsibility with Salesforce: vendor incidents and maintenances read from the Trust
status API (with the feeds' sync state), each org's Salesforce instance, an incident's link to
the Trust incident that caused it, and measurements flagged vendor-attributed. Seasonal
releases on autopilot: each org's sandbox preview and production upgrade dates of a seasonal
release (release_org_schedule).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 04:21:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
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
    ]


def upgrade() -> None:
    op.add_column("salesforce_org", sa.Column("instance_key", sa.String(length=20), nullable=True))
    op.create_index("ix_salesforce_org_instance_key", "salesforce_org", ["instance_key"])
    # Orgs registered with an instance URL that names their instance (https://na135...).
    op.execute(
        """
        UPDATE salesforce_org
           SET instance_key = upper(substring(instance_url
                 FROM '^https://([A-Za-z]{2,5}[0-9]{1,4}[A-Za-z]?)\\.(salesforce|force)\\.com'))
         WHERE instance_key IS NULL
        """
    )
    op.create_table(
        "vendor_incident",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("trust_id", sa.BigInteger(), nullable=False),
        sa.Column("instance_keys", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("service_keys", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("is_core", sa.Boolean(), nullable=False),
        sa.Column("affects_all", sa.Boolean(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("impact_type", sa.String(length=60), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trust_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_incident")),
        sa.UniqueConstraint("trust_id", name=op.f("uq_vendor_incident_trust_id")),
    )
    op.create_index(
        "ix_vendor_incident_instance_keys",
        "vendor_incident",
        ["instance_keys"],
        postgresql_using="gin",
    )
    op.create_index("ix_vendor_incident_started_at", "vendor_incident", ["started_at"])
    op.create_table(
        "vendor_maintenance",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("trust_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("instance_keys", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=True),
        sa.Column("release_type", sa.String(length=40), nullable=True),
        sa.Column("availability", sa.String(length=40), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_maintenance")),
        sa.UniqueConstraint("trust_id", name=op.f("uq_vendor_maintenance_trust_id")),
    )
    op.create_index(
        "ix_vendor_maintenance_instance_keys",
        "vendor_maintenance",
        ["instance_keys"],
        postgresql_using="gin",
    )
    op.create_index("ix_vendor_maintenance_planned_start", "vendor_maintenance", ["planned_start"])
    op.create_table(
        "trust_sync",
        sa.Column("feed", sa.String(length=20), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("feed", name=op.f("pk_trust_sync")),
    )
    op.add_column("incident", sa.Column("vendor_incident_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_incident_vendor_incident_id_vendor_incident"),
        "incident",
        "vendor_incident",
        ["vendor_incident_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index("ix_incident_vendor_incident_id", "incident", ["vendor_incident_id"])
    op.add_column(
        "measurement",
        sa.Column(
            "vendor_attributed", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.create_table(
        "release_org_schedule",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("salesforce_org_id", sa.Uuid(), nullable=False),
        sa.Column("sandbox_preview_on", sa.Date(), nullable=True),
        sa.Column("production_on", sa.Date(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["release.id"],
            name=op.f("fk_release_org_schedule_release_id_release"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["salesforce_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_release_org_schedule_salesforce_org_id_salesforce_org"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_org_schedule")),
        sa.UniqueConstraint(
            "release_id",
            "salesforce_org_id",
            name=op.f("uq_release_org_schedule_release_id_salesforce_org_id"),
        ),
    )
    op.create_index(
        "ix_release_org_schedule_salesforce_org_id", "release_org_schedule", ["salesforce_org_id"]
    )
    op.create_index(
        "ix_release_org_schedule_production_on", "release_org_schedule", ["production_on"]
    )


def downgrade() -> None:
    op.drop_table("release_org_schedule")
    op.drop_column("measurement", "vendor_attributed")
    op.drop_index("ix_incident_vendor_incident_id", table_name="incident")
    op.drop_constraint(
        op.f("fk_incident_vendor_incident_id_vendor_incident"), "incident", type_="foreignkey"
    )
    op.drop_column("incident", "vendor_incident_id")
    op.drop_table("trust_sync")
    op.drop_index("ix_vendor_maintenance_planned_start", table_name="vendor_maintenance")
    op.drop_index("ix_vendor_maintenance_instance_keys", table_name="vendor_maintenance")
    op.drop_table("vendor_maintenance")
    op.drop_index("ix_vendor_incident_started_at", table_name="vendor_incident")
    op.drop_index("ix_vendor_incident_instance_keys", table_name="vendor_incident")
    op.drop_table("vendor_incident")
    op.drop_index("ix_salesforce_org_instance_key", table_name="salesforce_org")
    op.drop_column("salesforce_org", "instance_key")
