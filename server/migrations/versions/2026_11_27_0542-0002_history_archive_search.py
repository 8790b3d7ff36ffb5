"""history archive search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 05:42:46.352816
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

VERSIONED_TABLES = (
    "business_unit",
    "team",
    "person",
    "membership",
    "service",
    "ownership_role",
    "salesforce_org",
)

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Row-change history (core/history.py): the trigger function filling record_version, and its
# trigger on a table. Frozen here: a migration never imports live code.
TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_record_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    diff jsonb := '[]'::jsonb;
    act text;
    ver integer;
    rid uuid;
    extra jsonb;
    ignored text[] := ARRAY['version', 'updated_at', 'created_at', 'last_seen_at'];
BEGIN
    IF coalesce(current_setting('catalog.importing', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        new_row := to_jsonb(NEW);
        rid := NEW.id;
        ver := (new_row ->> 'version')::integer;
        act := 'CREATE';
        SELECT coalesce(jsonb_agg(jsonb_build_object('field', k, 'from', NULL, 'to', v)
                                  ORDER BY k), '[]'::jsonb)
          INTO diff
          FROM jsonb_each(new_row) AS e(k, v)
         WHERE k <> ALL(ignored) AND k <> 'id' AND v <> 'null'::jsonb;
    ELSIF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        rid := NEW.id;
        ver := (new_row ->> 'version')::integer;
        SELECT coalesce(jsonb_agg(jsonb_build_object('field', k, 'from', old_row -> k, 'to', v)
                                  ORDER BY k), '[]'::jsonb)
          INTO diff
          FROM jsonb_each(new_row) AS e(k, v)
         WHERE k <> ALL(ignored) AND (old_row -> k) IS DISTINCT FROM v;
        IF old_row ? 'archived_at' AND old_row -> 'archived_at' = 'null'::jsonb
           AND new_row -> 'archived_at' <> 'null'::jsonb THEN
            act := 'ARCHIVE';
        ELSE
            act := 'UPDATE';
        END IF;
    ELSE
        old_row := to_jsonb(OLD);
        rid := OLD.id;
        ver := coalesce((old_row ->> 'version')::integer, 0) + 1;
        act := 'DELETE';
        SELECT coalesce(jsonb_agg(jsonb_build_object('field', k, 'from', v, 'to', NULL)
                                  ORDER BY k), '[]'::jsonb)
          INTO diff
          FROM jsonb_each(old_row) AS e(k, v)
         WHERE k <> ALL(ignored) AND k <> 'id' AND v <> 'null'::jsonb;
    END IF;
    extra := nullif(current_setting('catalog.extra_changes', true), '')::jsonb;
    IF extra IS NOT NULL AND extra ->> 'record_id' = rid::text THEN
        diff := diff || (extra -> 'changes');
        PERFORM set_config('catalog.extra_changes', '', true);
    END IF;
    IF TG_OP = 'UPDATE' AND diff = '[]'::jsonb THEN
        RETURN NULL;
    END IF;
    INSERT INTO record_version (table_name, record_id, version, action, actor, request_id, changes)
    VALUES (TG_TABLE_NAME, rid, ver, act,
            nullif(current_setting('catalog.actor', true), ''),
            nullif(current_setting('catalog.request_id', true), ''),
            diff);
    RETURN NULL;
END
$$
"""


def enable_history(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_record_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION catalog_record_version()"
    )


def disable_history(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_record_version ON {table}"


def upgrade() -> None:
    op.create_table(
        "record_version",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column(
            "changes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "action IN ('CREATE', 'UPDATE', 'ARCHIVE', 'DELETE')",
            name=op.f("ck_record_version_action_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_version")),
    )
    op.create_index(
        "ix_record_version_record_id_version",
        "record_version",
        ["record_id", "version"],
        unique=False,
    )
    op.add_column(
        "business_unit", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_person_display_name_id", "person", ["display_name", "id"], unique=False)
    op.add_column(
        "salesforce_org", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_salesforce_org_name_id", "salesforce_org", ["name", "id"], unique=False)
    op.create_index(
        "ix_service_search",
        "service",
        [sa.literal_column("(name || ' ' || description) gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )
    op.add_column("team", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(TRIGGER_FUNCTION)
    for table in VERSIONED_TABLES:
        op.execute(enable_history(table))


def downgrade() -> None:
    for table in VERSIONED_TABLES:
        op.execute(disable_history(table))
    op.execute("DROP FUNCTION IF EXISTS catalog_record_version()")
    op.drop_column("team", "archived_at")
    op.drop_index("ix_service_search", table_name="service", postgresql_using="gin")
    op.drop_index("ix_salesforce_org_name_id", table_name="salesforce_org")
    op.drop_column("salesforce_org", "archived_at")
    op.drop_index("ix_person_display_name_id", table_name="person")
    op.drop_column("business_unit", "archived_at")
    op.drop_index("ix_record_version_record_id_version", table_name="record_version")
    op.drop_table("record_version")
