"""Reference B: the whole page built as JSON inside PostgreSQL, in one statement.

What a GraphQL-to-SQL compiler (PostGraphile) aims at: Python only decodes the cursor
and passes the bytes PostgreSQL made through.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from bench.reference import decode_cursor


def _gid(type_name: str, column: str) -> str:
    # base64 of `Type:uuid`, url-safe, no padding; encode() wraps lines at 76 characters.
    return (
        f"translate(encode(convert_to('{type_name}:' || {column}::text, 'UTF8'), 'base64'),"
        " E'+/\\n=', '-_')"
    )


_CURSOR = (
    'translate(encode(convert_to(\'{"f":"\' || $4::text || \'","v":\' || to_json(s.name)::text'
    " || ',\"i\":{\"u\":\"' || s.id::text || '\"}}', 'UTF8'), 'base64'), E'+/\\n=', '-_')"
)

_CURRENT = (
    "(r.effective_from <= $5::date AND (r.effective_to IS NULL OR r.effective_to >= $5::date))"
)

_DUE = "(coalesce(s.last_reviewed_at, s.created_at) + s.review_interval_days * interval '1 day')"

_CALENDAR = """CASE WHEN s.business_calendar IS NULL THEN NULL ELSE json_build_object(
  'timeZone', s.business_calendar->>'time_zone',
  'weeklyHours', (SELECT json_agg(json_build_object('day', h->>'day', 'start', h->>'start',
                                                    'end', h->>'end') ORDER BY o)
                  FROM jsonb_array_elements(s.business_calendar->'weekly_hours')
                       WITH ORDINALITY AS w(h, o)),
  'holidays', s.business_calendar->'holidays') END"""

_TEAM = f"""(SELECT json_build_object(
  'id', {_gid("Team", "t.id")}, 'name', t.name, 'slug', t.slug, 'kind', t.kind,
  'contactEmail', t.contact_email, 'chatChannel', t.chat_channel, 'version', t.version,
  'createdAt', t.created_at, 'updatedAt', t.updated_at,
  'businessUnit', (SELECT json_build_object('id', {_gid("BusinessUnit", "b.id")}, 'name', b.name,
                          'version', b.version, 'createdAt', b.created_at,
                          'updatedAt', b.updated_at)
                   FROM business_unit b WHERE b.id = t.business_unit_id))
  FROM team t WHERE t.id = s.owner_team_id)"""

_ROLES = f"""coalesce((SELECT json_agg(json_build_object(
  'id', {_gid("OwnershipRole", "r.id")}, 'role', r.role, 'effectiveFrom', r.effective_from,
  'effectiveTo', r.effective_to, 'current', {_CURRENT}, 'version', r.version,
  'person', json_build_object('id', {_gid("Person", "p.id")}, 'displayName', p.display_name,
                              'active', p.active, 'lastSeenAt', p.last_seen_at,
                              'version', p.version)) ORDER BY r.created_at)
  FROM ownership_role r JOIN person p ON p.id = r.person_id WHERE r.service_id = s.id),
  '[]'::json)"""

_PRODUCT_OWNERS = f"""coalesce((SELECT json_agg(json_build_object(
  'id', {_gid("Person", "p.id")}, 'displayName', p.display_name) ORDER BY r.created_at)
  FROM ownership_role r JOIN person p ON p.id = r.person_id
  WHERE r.service_id = s.id AND r.role = 'PRODUCT_OWNER' AND {_CURRENT}), '[]'::json)"""

_ORGS = f"""coalesce((SELECT json_agg(json_build_object(
  'id', {_gid("SalesforceOrg", "o.id")}, 'orgId', o.org_id, 'name', o.name,
  'instanceUrl', o.instance_url, 'kind', o.kind, 'lastRefreshedAt', o.last_refreshed_at,
  'expiresAt', o.expires_at,
  'backupPolicy', json_build_object('provider', o.backup_provider,
                                    'rpoSeconds', o.backup_rpo_seconds,
                                    'lastVerifiedRestoreAt', o.backup_last_verified_restore_at),
  'version', o.version, 'createdAt', o.created_at, 'updatedAt', o.updated_at,
  'parent', (SELECT json_build_object('id', {_gid("SalesforceOrg", "q.id")}, 'orgId', q.org_id,
                                      'name', q.name, 'kind', q.kind)
             FROM salesforce_org q WHERE q.id = o.parent_id)) ORDER BY l.position)
  FROM service_salesforce_org l JOIN salesforce_org o ON o.id = l.salesforce_org_id
  WHERE l.service_id = s.id), '[]'::json)"""

NODE = f"""json_build_object(
  'id', {_gid("Service", "s.id")}, 'slug', s.slug, 'name', s.name,
  'description', s.description, 'tier', s.tier, 'lifecycle', s.lifecycle, 'tags', s.tags,
  'links', json_build_object('runbook', s.runbook_url, 'repo', s.repo_url,
                             'dashboard', s.dashboard_url),
  'salesforceKey', s.salesforce_key, 'dataClassification', s.data_classification,
  'complianceRegimes', s.compliance_regimes, 'businessCalendar', {_CALENDAR},
  'backupPolicy', json_build_object('rpoSeconds', s.backup_rpo_seconds,
                                    'rtoSeconds', s.backup_rto_seconds,
                                    'lastVerifiedRestoreAt', s.backup_last_verified_restore_at),
  'reviewIntervalDays', s.review_interval_days, 'lastReviewedAt', s.last_reviewed_at,
  'reviewDueAt', {_DUE}, 'stale', {_DUE} < $6::timestamptz,
  'archivedAt', s.archived_at, 'version', s.version, 'createdAt', s.created_at,
  'updatedAt', s.updated_at, 'ownerTeam', {_TEAM}, 'ownershipRoles', {_ROLES},
  'productOwners', {_PRODUCT_OWNERS}, 'salesforceOrgs', {_ORGS})"""

PAGE = f"""WITH page AS (
  SELECT s.*, row_number() OVER (ORDER BY s.name, s.id) AS rn
  FROM (SELECT * FROM service s WHERE s.archived_at IS NULL
          AND ($2::text IS NULL OR (s.name, s.id) > ($2::text, $3::uuid))
        ORDER BY s.name, s.id LIMIT $1 + 1) s
), nodes AS (
  SELECT s.rn, {_CURSOR} AS cursor, {NODE} AS node FROM page s WHERE s.rn <= $1
)
SELECT json_build_object('data', json_build_object('services', json_build_object(
  'edges', coalesce((SELECT json_agg(json_build_object('cursor', cursor, 'node', node)
                                     ORDER BY rn) FROM nodes), '[]'::json),
  'pageInfo', json_build_object(
    'hasNextPage', (SELECT count(*) FROM page) > $1,
    'hasPreviousPage', $2::text IS NOT NULL,
    'startCursor', (SELECT cursor FROM nodes ORDER BY rn LIMIT 1),
    'endCursor', (SELECT cursor FROM nodes ORDER BY rn DESC LIMIT 1)))))::text"""


class ReferenceB:
    def __init__(self, pool: asyncpg.Pool, stamp: str) -> None:
        self.pool = pool
        self.stamp = stamp

    async def page(self, first: int, after: str | None) -> bytes:
        name: str | None = None
        key: Any = None
        if after is not None:
            name, key = decode_cursor(after)
        now = datetime.now(UTC)
        async with self.pool.acquire() as connection:
            text: str = await connection.fetchval(
                PAGE, first, name, key, self.stamp, now.date(), now
            )
        return text.encode()
