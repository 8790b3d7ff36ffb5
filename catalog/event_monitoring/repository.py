"""Every SQL statement about Event Monitoring: cursors, activity, data access, baselines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.event_monitoring.anomalies import HOURS, Baseline
from catalog.event_monitoring.models import (
    DataAccess,
    EventLogCursor,
    EventMonitoringOrg,
    SalesforceActivity,
    UserBaseline,
)
from catalog.org_users.models import SalesforceOrgUser
from catalog.orgs.models import SalesforceOrg
from catalog.services.models import DataClassification, Lifecycle, Service, service_salesforce_org

# Rows per INSERT: well under PostgreSQL's 65,535 bind parameters at 7 columns a row.
INSERT_CHUNK = 2_000
SENSITIVE = (DataClassification.CONFIDENTIAL, DataClassification.RESTRICTED)


@dataclass(frozen=True)
class OrgFootprint:
    """What the services on an org declare, casefolded: what the logs are read for."""

    permission_sets: frozenset[str]
    sensitive_objects: frozenset[str]


async def org_footprint(session: AsyncSession, org_id: uuid.UUID) -> OrgFootprint:
    """The permission sets of the running services on the org, and the objects of those
    whose data is CONFIDENTIAL or RESTRICTED."""
    rows = await session.execute(
        select(
            Service.salesforce_permission_sets,
            Service.salesforce_objects,
            Service.data_classification,
        )
        .join(service_salesforce_org, service_salesforce_org.c.service_id == Service.id)
        .where(
            service_salesforce_org.c.salesforce_org_id == org_id,
            Service.archived_at.is_(None),
            Service.lifecycle != Lifecycle.RETIRED,
        )
    )
    permission_sets: set[str] = set()
    sensitive: set[str] = set()
    for sets, objects, classification in rows:
        permission_sets |= {name.casefold() for name in sets}
        if classification in SENSITIVE:
            sensitive |= {name.casefold() for name in objects}
    return OrgFootprint(frozenset(permission_sets), frozenset(sensitive))


async def cursors(session: AsyncSession, org_id: uuid.UUID) -> dict[str, EventLogCursor]:
    found = await session.scalars(
        select(EventLogCursor).where(EventLogCursor.salesforce_org_id == org_id)
    )
    return {cursor.event_type: cursor for cursor in found}


async def advance_cursor(
    session: AsyncSession,
    org_id: uuid.UUID,
    event_type: str,
    *,
    log_date: datetime,
    log_file_id: str,
    rows: int,
    skipped: int,
    now: datetime,
) -> None:
    statement = insert(EventLogCursor).values(
        salesforce_org_id=org_id,
        event_type=event_type,
        log_date=log_date,
        log_file_id=log_file_id,
        files=1,
        rows=rows,
        skipped_rows=skipped,
        updated_at=now,
    )
    table = EventLogCursor.__table__
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["salesforce_org_id", "event_type"],
            set_={
                "log_date": statement.excluded.log_date,
                "log_file_id": statement.excluded.log_file_id,
                "files": table.c.files + 1,
                "rows": table.c.rows + rows,
                "skipped_rows": table.c.skipped_rows + skipped,
                "updated_at": now,
            },
        )
    )


async def _insert_new(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the rows whose key is not there yet; how many were new."""
    added = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        result: Any = await session.execute(
            insert(model)
            .values(list(chunk))
            .on_conflict_do_nothing()
            .returning(literal_column("1"))
        )
        added += len(result.all())
    return added


async def add_activity(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    return await _insert_new(session, SalesforceActivity, rows)


async def add_data_access(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    return await _insert_new(session, DataAccess, rows)


async def baselines(session: AsyncSession, org_id: uuid.UUID) -> dict[str, Baseline]:
    found = await session.scalars(
        select(UserBaseline).where(UserBaseline.salesforce_org_id == org_id)
    )
    return {
        row.user_id: Baseline(
            countries=dict(zip(row.countries, row.country_days, strict=False)),
            ip_ranges=dict(zip(row.ip_ranges, row.ip_range_days, strict=False)),
            hour_days=list(row.hour_days),
            hour_last_day=list(row.hour_last_day),
            active_days=row.active_days,
            last_active_day=row.last_active_day,
        )
        for row in found
    }


async def save_baselines(
    session: AsyncSession, org_id: uuid.UUID, found: dict[str, Baseline], now: datetime
) -> None:
    rows = [
        {
            "salesforce_org_id": org_id,
            "user_id": user_id,
            "countries": sorted(baseline.countries),
            "country_days": [baseline.countries[name] for name in sorted(baseline.countries)],
            "ip_ranges": sorted(baseline.ip_ranges),
            "ip_range_days": [baseline.ip_ranges[name] for name in sorted(baseline.ip_ranges)],
            "hour_days": baseline.hour_days[:HOURS],
            "hour_last_day": baseline.hour_last_day[:HOURS],
            "active_days": baseline.active_days,
            "last_active_day": baseline.last_active_day,
            "updated_at": now,
        }
        for user_id, baseline in sorted(found.items())
        if baseline.changed
    ]
    for start in range(0, len(rows), INSERT_CHUNK // 4):
        statement = insert(UserBaseline).values(rows[start : start + INSERT_CHUNK // 4])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["salesforce_org_id", "user_id"],
                set_={name: statement.excluded[name] for name in rows[0] if "_id" not in name},
            )
        )


async def note_org(
    session: AsyncSession, org_id: uuid.UUID, *, licensed: bool, report: str, now: datetime
) -> None:
    statement = insert(EventMonitoringOrg).values(
        salesforce_org_id=org_id, licensed=licensed, checked_at=now, last_report=report[:1000]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["salesforce_org_id"],
            set_={
                "licensed": statement.excluded.licensed,
                "checked_at": statement.excluded.checked_at,
                "last_report": statement.excluded.last_report,
            },
        )
    )


# -- the read side --------------------------------------------------------------------


async def org_states(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[str, bool]]]:
    """Per service: (org id, licensed) of each of its orgs the job has looked at."""
    rows = await session.execute(
        select(
            service_salesforce_org.c.service_id,
            SalesforceOrg.org_id,
            EventMonitoringOrg.licensed,
        )
        .join(SalesforceOrg, SalesforceOrg.id == service_salesforce_org.c.salesforce_org_id)
        .join(EventMonitoringOrg, EventMonitoringOrg.salesforce_org_id == SalesforceOrg.id)
        .where(service_salesforce_org.c.service_id.in_(service_ids))
        .order_by(service_salesforce_org.c.position, SalesforceOrg.id)
    )
    found: dict[uuid.UUID, list[tuple[str, bool]]] = {}
    for service_id, org_id, licensed in rows:
        found.setdefault(service_id, []).append((org_id, licensed))
    return found


# Daily distinct users and sessions of each service (and over the whole window: the row
# with a null day), counting activity with any app, object or permission set it declares,
# on the orgs it runs on.
_ADOPTION = text(
    """
    SELECT link.service_id, activity.day,
           count(DISTINCT activity.user_id) AS users,
           count(DISTINCT (activity.user_id, activity.session_key))
               FILTER (WHERE activity.session_key <> '') AS sessions
    FROM service
    JOIN service_salesforce_org AS link ON link.service_id = service.id
    JOIN salesforce_activity AS activity
      ON activity.salesforce_org_id = link.salesforce_org_id
     AND activity.day BETWEEN :first_day AND :last_day
     AND (
          (activity.kind = 'APP' AND activity.name IN
              (SELECT lower(value) FROM unnest(service.salesforce_apps) AS value))
       OR (activity.kind = 'OBJECT' AND activity.name IN
              (SELECT lower(value) FROM unnest(service.salesforce_objects) AS value))
       OR (activity.kind = 'PERMISSION_SET' AND activity.name IN
              (SELECT lower(value) FROM unnest(service.salesforce_permission_sets) AS value))
     )
    WHERE service.id = ANY(:service_ids)
    GROUP BY GROUPING SETS ((link.service_id, activity.day), (link.service_id))
    ORDER BY link.service_id, activity.day NULLS FIRST
    """
)


async def adoption(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], first_day: date, last_day: date
) -> dict[uuid.UUID, list[tuple[date | None, int, int]]]:
    """Per service: (day, users, sessions), the whole window first (day None), then by day."""
    rows = await session.execute(
        _ADOPTION,
        {"service_ids": list(service_ids), "first_day": first_day, "last_day": last_day},
    )
    found: dict[uuid.UUID, list[tuple[date | None, int, int]]] = {}
    for service_id, day, users, sessions in rows:
        found.setdefault(service_id, []).append((day, int(users), int(sessions or 0)))
    return found


def data_access_query(service: Service, since: datetime, until: datetime) -> Select[Any]:
    """Accesses to the service's sensitive objects on its orgs within [since, until)."""
    objects = [name.casefold() for name in service.salesforce_objects]
    orgs = select(service_salesforce_org.c.salesforce_org_id).where(
        service_salesforce_org.c.service_id == service.id
    )
    sensitive = service.data_classification in SENSITIVE and bool(objects)
    return (
        select(DataAccess)
        .where(
            DataAccess.salesforce_org_id.in_(orgs),
            func.lower(DataAccess.object_name).in_(objects) if sensitive else false(),
            and_(DataAccess.at >= since, DataAccess.at < until),
        )
        .options(
            selectinload(DataAccess.org),
            selectinload(DataAccess.org_user).selectinload(SalesforceOrgUser.person),
        )
    )


async def footprinted(session: AsyncSession, service_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The services among these that declare any app, object or permission set."""
    if not service_ids:
        return []
    found = await session.scalars(
        select(Service.id).where(
            Service.id.in_(service_ids),
            func.cardinality(Service.salesforce_apps)
            + func.cardinality(Service.salesforce_objects)
            + func.cardinality(Service.salesforce_permission_sets)
            > 0,
        )
    )
    return list(found)
