"""SLA clock stamps are derived data: history ignores `breach_at` (the clocks re-stamp it).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 07:10:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

_MIGRATION_0002 = Path(__file__).with_name("2026_11_27_0542-0002_history_archive_search.py")


def _trigger_function_0002() -> str:
    """The history trigger as 0002 made it (read from that migration, which stays frozen)."""
    spec = importlib.util.spec_from_file_location("migration_0002", _MIGRATION_0002)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.TRIGGER_FUNCTION)


revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The history trigger of 0002, also ignoring `breach_at`: the SLA clocks keep it on
# requests and incidents without making a new version of them.
TRIGGER_FUNCTION_0011 = """
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
    ignored text[] := ARRAY['version', 'updated_at', 'created_at', 'last_seen_at',
                             'breach_at'];
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


def upgrade() -> None:
    op.execute(TRIGGER_FUNCTION_0011)


def downgrade() -> None:
    op.execute(_trigger_function_0002())
