"""foundation

Revision ID: 0001
Revises:
Create Date: 2026-11-27 05:29:24.450425
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trusted extensions only: a database owner may create them (PostgreSQL 13+).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "business_unit",
        sa.Column("name", sa.String(length=200), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_unit")),
        sa.UniqueConstraint("name", name=op.f("uq_business_unit_name")),
    )
    op.create_table(
        "person",
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("email_verified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_person_issuer_subject")),
    )
    op.create_table(
        "salesforce_org",
        sa.Column("org_id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("instance_url", sa.String(length=500), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "PRODUCTION",
                "SANDBOX",
                "SCRATCH",
                name="org_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("last_refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credentials_ref", sa.String(length=100), nullable=True),
        sa.Column("backup_provider", sa.String(length=200), nullable=True),
        sa.Column("backup_rpo_seconds", sa.Integer(), nullable=True),
        sa.Column("backup_last_verified_restore_at", sa.DateTime(timezone=True), nullable=True),
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
            ["parent_id"],
            ["salesforce_org.id"],
            name=op.f("fk_salesforce_org_parent_id_salesforce_org"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salesforce_org")),
        sa.UniqueConstraint("org_id", name=op.f("uq_salesforce_org_org_id")),
    )
    op.create_index(
        op.f("ix_salesforce_org_parent_id"), "salesforce_org", ["parent_id"], unique=False
    )
    op.create_table(
        "team",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "PRODUCT",
                "PLATFORM",
                "SUPPORT",
                name="team_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("business_unit_id", sa.Uuid(), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("chat_channel", sa.String(length=200), nullable=True),
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
            ["business_unit_id"],
            ["business_unit.id"],
            name=op.f("fk_team_business_unit_id_business_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("slug", name=op.f("uq_team_slug")),
    )
    op.create_index("ix_team_business_unit_id", "team", ["business_unit_id"], unique=False)
    op.create_index("ix_team_name_id", "team", ["name", "id"], unique=False)
    op.create_table(
        "membership",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "PRODUCT_OWNER",
                "ENGINEER",
                "SUPPORT_L1",
                "SUPPORT_L2",
                "DESIGN_AUTHORITY",
                name="membership_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
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
            ["person_id"], ["person.id"], name=op.f("fk_membership_person_id_person")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_membership_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint(
            "person_id", "team_id", "role", name=op.f("uq_membership_person_id_team_id_role")
        ),
    )
    op.create_index("ix_membership_team_id", "membership", ["team_id"], unique=False)
    op.create_table(
        "service",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_team_id", sa.Uuid(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "TIER_1",
                "TIER_2",
                "TIER_3",
                "TIER_4",
                name="tier",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "lifecycle",
            sa.Enum(
                "PLANNED",
                "BUILDING",
                "LIVE",
                "DEPRECATED",
                "RETIRED",
                name="lifecycle",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("tags", sa.ARRAY(sa.String(length=100)), server_default="{}", nullable=False),
        sa.Column("runbook_url", sa.String(length=2000), nullable=True),
        sa.Column("repo_url", sa.String(length=2000), nullable=True),
        sa.Column("dashboard_url", sa.String(length=2000), nullable=True),
        sa.Column("salesforce_key", sa.String(length=200), nullable=False),
        sa.Column(
            "data_classification",
            sa.Enum(
                "PUBLIC",
                "INTERNAL",
                "CONFIDENTIAL",
                "RESTRICTED",
                name="data_classification",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "compliance_regimes",
            sa.ARRAY(sa.String(length=50)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("business_calendar", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("backup_rpo_seconds", sa.Integer(), nullable=True),
        sa.Column("backup_rto_seconds", sa.Integer(), nullable=True),
        sa.Column("backup_last_verified_restore_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "review_interval_days", sa.Integer(), server_default=sa.text("90"), nullable=False
        ),
        sa.Column("last_reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
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
            "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f("ck_service_slug_format")
        ),
        sa.CheckConstraint(
            "review_interval_days > 0", name=op.f("ck_service_review_interval_positive")
        ),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["team.id"], name=op.f("fk_service_owner_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("slug", name=op.f("uq_service_slug")),
    )
    op.create_index(
        "ix_service_compliance_regimes",
        "service",
        ["compliance_regimes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("ix_service_name_id", "service", ["name", "id"], unique=False)
    op.create_index("ix_service_owner_team_id", "service", ["owner_team_id"], unique=False)
    op.create_index("ix_service_slug_id", "service", ["slug", "id"], unique=False)
    op.create_index("ix_service_tags", "service", ["tags"], unique=False, postgresql_using="gin")
    op.create_index("ix_service_tier_id", "service", ["tier", "id"], unique=False)
    op.create_index("ix_service_updated_at_id", "service", ["updated_at", "id"], unique=False)
    op.create_table(
        "ownership_role",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "PRODUCT_OWNER",
                "PLATFORM_OWNER",
                "SUPPORT_OWNER",
                "DESIGN_AUTHORITY",
                "AI_MODEL_OWNER",
                name="ownership_role_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "effective_from", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False
        ),
        sa.Column("effective_to", sa.Date(), nullable=True),
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
            "effective_to IS NULL OR effective_to >= effective_from",
            name=op.f("ck_ownership_role_effective_dates"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_ownership_role_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_ownership_role_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_role")),
    )
    op.create_index("ix_ownership_role_person_id", "ownership_role", ["person_id"], unique=False)
    op.create_index("ix_ownership_role_service_id", "ownership_role", ["service_id"], unique=False)
    op.create_table(
        "service_salesforce_org",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("salesforce_org_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["salesforce_org_id"],
            ["salesforce_org.id"],
            name=op.f("fk_service_salesforce_org_salesforce_org_id_salesforce_org"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_salesforce_org_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "service_id", "salesforce_org_id", name=op.f("pk_service_salesforce_org")
        ),
    )
    op.create_index(
        "ix_service_salesforce_org_salesforce_org_id",
        "service_salesforce_org",
        ["salesforce_org_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_service_salesforce_org_salesforce_org_id", table_name="service_salesforce_org"
    )
    op.drop_table("service_salesforce_org")
    op.drop_index("ix_ownership_role_service_id", table_name="ownership_role")
    op.drop_index("ix_ownership_role_person_id", table_name="ownership_role")
    op.drop_table("ownership_role")
    op.drop_index("ix_service_updated_at_id", table_name="service")
    op.drop_index("ix_service_tier_id", table_name="service")
    op.drop_index("ix_service_tags", table_name="service", postgresql_using="gin")
    op.drop_index("ix_service_slug_id", table_name="service")
    op.drop_index("ix_service_owner_team_id", table_name="service")
    op.drop_index("ix_service_name_id", table_name="service")
    op.drop_index("ix_service_compliance_regimes", table_name="service", postgresql_using="gin")
    op.drop_table("service")
    op.drop_index("ix_membership_team_id", table_name="membership")
    op.drop_table("membership")
    op.drop_index("ix_team_name_id", table_name="team")
    op.drop_index("ix_team_business_unit_id", table_name="team")
    op.drop_table("team")
    op.drop_index(op.f("ix_salesforce_org_parent_id"), table_name="salesforce_org")
    op.drop_table("salesforce_org")
    op.drop_table("person")
    op.drop_table("business_unit")
