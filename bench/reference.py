"""Reference A: hand-written asyncpg, one statement per relation, the JSON built by orjson.

This is the physical limit the API is measured against: no ORM, no GraphQL, the same
statements prefetch by selection sends, the same JSON. `build_service` turns rows
(anything indexable by column name) into the JSON of `documents.SERVICE_FIELDS`; the
PostGraphile peer's answer goes through it too, to check it carries the same data.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import orjson

Row = Mapping[str, Any]
Json = dict[str, Any]

SERVICE_COLUMNS = (
    "id, slug, name, description, owner_team_id, tier, lifecycle, tags, runbook_url, repo_url,"
    " dashboard_url, salesforce_key, data_classification, compliance_regimes, business_calendar,"
    " backup_rpo_seconds, backup_rto_seconds, backup_last_verified_restore_at,"
    " review_interval_days, last_reviewed_at, archived_at, version, created_at, updated_at"
)
PAGE_FIRST = f"""SELECT {SERVICE_COLUMNS} FROM service WHERE archived_at IS NULL
ORDER BY name, id LIMIT $1"""
PAGE_AFTER = f"""SELECT {SERVICE_COLUMNS} FROM service WHERE archived_at IS NULL
AND (name, id) > ($2, $3) ORDER BY name, id LIMIT $1"""
BY_SLUG = f"SELECT {SERVICE_COLUMNS} FROM service WHERE slug = $1"
TEAMS = """SELECT id, name, slug, kind, contact_email, chat_channel, version, created_at,
updated_at, business_unit_id FROM team WHERE id = ANY($1::uuid[])"""
UNITS = """SELECT id, name, version, created_at, updated_at FROM business_unit
WHERE id = ANY($1::uuid[])"""
ROLES = """SELECT id, service_id, person_id, role, effective_from, effective_to, version
FROM ownership_role WHERE service_id = ANY($1::uuid[]) ORDER BY created_at"""
PEOPLE = """SELECT id, display_name, active, last_seen_at, version FROM person
WHERE id = ANY($1::uuid[])"""
ORGS = """SELECT l.service_id, o.id, o.org_id, o.name, o.instance_url, o.kind,
o.last_refreshed_at, o.expires_at, o.backup_provider, o.backup_rpo_seconds,
o.backup_last_verified_restore_at, o.version, o.created_at, o.updated_at, o.parent_id
FROM service_salesforce_org l JOIN salesforce_org o ON o.id = l.salesforce_org_id
WHERE l.service_id = ANY($1::uuid[]) ORDER BY l.position"""
PARENTS = "SELECT id, org_id, name, kind FROM salesforce_org WHERE id = ANY($1::uuid[])"


def gid(type_name: str, key: Any) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def encode_cursor(stamp: str, name: str, key: Any) -> str:
    raw = json.dumps({"f": stamp, "v": name, "i": {"u": str(key)}}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, uuid.UUID]:
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return payload["v"], uuid.UUID(payload["i"]["u"])


@dataclass
class Related:
    """Everything one hop (or two) from a page of services, by key."""

    teams: dict[Any, Row]
    units: dict[Any, Row]
    roles: dict[Any, list[Row]]
    people: dict[Any, Row]
    orgs: dict[Any, list[Row]]
    parents: dict[Any, Row]


def _calendar(value: Any) -> Json | None:
    if value is None:
        return None
    calendar = orjson.loads(value) if isinstance(value, (str, bytes)) else value
    return {
        "timeZone": calendar["time_zone"],
        "weeklyHours": [
            {"day": hours["day"], "start": hours["start"], "end": hours["end"]}
            for hours in calendar["weekly_hours"]
        ],
        "holidays": calendar["holidays"],
    }


def _team(team: Row, units: Mapping[Any, Row]) -> Json:
    unit = units[team["business_unit_id"]]
    return {
        "id": gid("Team", team["id"]),
        "name": team["name"],
        "slug": team["slug"],
        "kind": team["kind"],
        "contactEmail": team["contact_email"],
        "chatChannel": team["chat_channel"],
        "version": team["version"],
        "createdAt": team["created_at"],
        "updatedAt": team["updated_at"],
        "businessUnit": {
            "id": gid("BusinessUnit", unit["id"]),
            "name": unit["name"],
            "version": unit["version"],
            "createdAt": unit["created_at"],
            "updatedAt": unit["updated_at"],
        },
    }


def _current(role: Row, today: date) -> bool:
    ends = role["effective_to"]
    return bool(role["effective_from"] <= today and (ends is None or ends >= today))


def _role(role: Row, people: Mapping[Any, Row], today: date) -> Json:
    person = people[role["person_id"]]
    return {
        "id": gid("OwnershipRole", role["id"]),
        "role": role["role"],
        "effectiveFrom": role["effective_from"],
        "effectiveTo": role["effective_to"],
        "current": _current(role, today),
        "version": role["version"],
        "person": {
            "id": gid("Person", person["id"]),
            "displayName": person["display_name"],
            "active": person["active"],
            "lastSeenAt": person["last_seen_at"],
            "version": person["version"],
        },
    }


def _org(org: Row, parents: Mapping[Any, Row]) -> Json:
    parent = parents.get(org["parent_id"]) if org["parent_id"] is not None else None
    return {
        "id": gid("SalesforceOrg", org["id"]),
        "orgId": org["org_id"],
        "name": org["name"],
        "instanceUrl": org["instance_url"],
        "kind": org["kind"],
        "lastRefreshedAt": org["last_refreshed_at"],
        "expiresAt": org["expires_at"],
        "backupPolicy": {
            "provider": org["backup_provider"],
            "rpoSeconds": org["backup_rpo_seconds"],
            "lastVerifiedRestoreAt": org["backup_last_verified_restore_at"],
        },
        "version": org["version"],
        "createdAt": org["created_at"],
        "updatedAt": org["updated_at"],
        "parent": (
            None
            if parent is None
            else {
                "id": gid("SalesforceOrg", parent["id"]),
                "orgId": parent["org_id"],
                "name": parent["name"],
                "kind": parent["kind"],
            }
        ),
    }


def build_service(service: Row, related: Related, now: datetime) -> Json:
    """The JSON of `SERVICE_FIELDS` for one service row."""
    today = now.date()
    due = (service["last_reviewed_at"] or service["created_at"]) + timedelta(
        days=service["review_interval_days"]
    )
    roles = related.roles.get(service["id"], ())
    return {
        "id": gid("Service", service["id"]),
        "slug": service["slug"],
        "name": service["name"],
        "description": service["description"],
        "tier": service["tier"],
        "lifecycle": service["lifecycle"],
        "tags": list(service["tags"]),
        "links": {
            "runbook": service["runbook_url"],
            "repo": service["repo_url"],
            "dashboard": service["dashboard_url"],
        },
        "salesforceKey": service["salesforce_key"],
        "dataClassification": service["data_classification"],
        "complianceRegimes": list(service["compliance_regimes"]),
        "businessCalendar": _calendar(service["business_calendar"]),
        "backupPolicy": {
            "rpoSeconds": service["backup_rpo_seconds"],
            "rtoSeconds": service["backup_rto_seconds"],
            "lastVerifiedRestoreAt": service["backup_last_verified_restore_at"],
        },
        "reviewIntervalDays": service["review_interval_days"],
        "lastReviewedAt": service["last_reviewed_at"],
        "reviewDueAt": due,
        "stale": due < now,
        "archivedAt": service["archived_at"],
        "version": service["version"],
        "createdAt": service["created_at"],
        "updatedAt": service["updated_at"],
        "ownerTeam": _team(related.teams[service["owner_team_id"]], related.units),
        "ownershipRoles": [_role(role, related.people, today) for role in roles],
        "productOwners": [
            {"id": gid("Person", role["person_id"]), "displayName": person["display_name"]}
            for role in roles
            if role["role"] == "PRODUCT_OWNER" and _current(role, today)
            for person in (related.people[role["person_id"]],)
        ],
        "salesforceOrgs": [
            _org(org, related.parents) for org in related.orgs.get(service["id"], ())
        ],
    }


class Counter:
    """Statements sent (R3) and rows read (R6)."""

    def __init__(self) -> None:
        self.count = 0
        self.rows = 0


async def _fetch(
    connection: asyncpg.Connection, counter: Counter, query: str, *args: Any
) -> list[Any]:
    counter.count += 1
    rows: list[Any] = await connection.fetch(query, *args)
    counter.rows += len(rows)
    return rows


async def fetch_related(
    connection: asyncpg.Connection, services: Sequence[Row], counter: Counter
) -> Related:
    """One statement per relation for the whole page."""
    service_ids = [service["id"] for service in services]
    teams = await _fetch(connection, counter, TEAMS, list({s["owner_team_id"] for s in services}))
    units = await _fetch(connection, counter, UNITS, list({t["business_unit_id"] for t in teams}))
    roles = await _fetch(connection, counter, ROLES, service_ids)
    people = await _fetch(connection, counter, PEOPLE, list({r["person_id"] for r in roles}))
    orgs = await _fetch(connection, counter, ORGS, service_ids)
    parent_ids = list({o["parent_id"] for o in orgs if o["parent_id"] is not None})
    parents = await _fetch(connection, counter, PARENTS, parent_ids)
    roles_by: dict[Any, list[Row]] = {}
    for role in roles:
        roles_by.setdefault(role["service_id"], []).append(role)
    orgs_by: dict[Any, list[Row]] = {}
    for org in orgs:
        orgs_by.setdefault(org["service_id"], []).append(org)
    return Related(
        teams={t["id"]: t for t in teams},
        units={u["id"]: u for u in units},
        roles=roles_by,
        people={p["id"]: p for p in people},
        orgs=orgs_by,
        parents={p["id"]: p for p in parents},
    )


class ReferenceA:
    """The services page and the service by slug, hand-written."""

    def __init__(self, pool: asyncpg.Pool, stamp: str) -> None:
        self.pool = pool
        self.stamp = stamp
        self.counter = Counter()

    async def page(self, first: int, after: str | None) -> bytes:
        now = datetime.now(UTC)
        async with self.pool.acquire() as connection:
            if after is None:
                rows = await _fetch(connection, self.counter, PAGE_FIRST, first + 1)
            else:
                name, key = decode_cursor(after)
                rows = await _fetch(connection, self.counter, PAGE_AFTER, first + 1, name, key)
            shown = rows[:first]
            related = await fetch_related(connection, shown, self.counter)
        cursors = [encode_cursor(self.stamp, row["name"], row["id"]) for row in shown]
        edges = [
            {"cursor": cursor, "node": build_service(row, related, now)}
            for row, cursor in zip(shown, cursors, strict=True)
        ]
        page_info = {
            "hasNextPage": len(rows) > first,
            "hasPreviousPage": after is not None,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        }
        return orjson.dumps({"data": {"services": {"edges": edges, "pageInfo": page_info}}})

    async def service(self, slug: str) -> bytes:
        now = datetime.now(UTC)
        async with self.pool.acquire() as connection:
            rows = await _fetch(connection, self.counter, BY_SLUG, slug)
            related = await fetch_related(connection, rows, self.counter)
        node = build_service(rows[0], related, now) if rows else None
        return orjson.dumps({"data": {"service": node}})


async def create_pool(dsn: str, *, size: int = 4) -> asyncpg.Pool:
    """asyncpg's defaults, UTC like the API's engine."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn, min_size=1, max_size=size, server_settings={"timezone": "UTC"}
    )
    return pool
