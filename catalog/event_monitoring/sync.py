"""The sync: each connected production org's new EventLogFile logs read, oldest first, into
activity (adoption) and sensitive-data access rows.

Incremental: a cursor per org and event type says which file was read last; the next run
asks from its LogDate on and skips what it has. Idempotent: every row has a natural key and
is inserted only when new, so a file read twice (again, or as both its hourly and its daily
log) counts once. Bounded: before every call the job checks its share of the org's daily
API calls and stops reading the org when it is reached, saying so; what it read is kept and
the next run resumes from the cursor. An org without Event Monitoring is noted as such
(its services' event-monitoring fields answer FEATURE_UNAVAILABLE) and the others go on.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.event_monitoring import repository
from catalog.event_monitoring.models import EventLogCursor
from catalog.event_monitoring.reading import LoginPlaces, LogReading
from catalog.orgs import repository as orgs_repository
from catalog.orgs.models import SalesforceOrg
from salesforce.api_budget import check_api_budget
from salesforce.deadline import Deadline
from salesforce.errors import SalesforceError, SalesforceRejected
from salesforce.event_logs import (
    EVENT_TYPES,
    EventMonitoringUnavailable,
    LogFileRecord,
    StreamResult,
    read_log_files,
    read_login_places,
    read_permission_set_holders,
    stream_log_file,
)
from salesforce.gateway import SalesforceGateway

ACTOR = "salesforce-event-logs"
# A log file streams within this (a daily API log of a busy org runs to hundreds of MB);
# the gateway's per-request timeout is for interactive reads.
FILE_DEADLINE_S = 300.0
# Logins placed an event up to a day before its log's date (sessions span midnight).
LOGIN_LOOKBACK = timedelta(days=1)
_TYPE_ORDER = {name: index for index, name in enumerate(EVENT_TYPES)}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncTerms:
    backfill_days: int = 30  # CATALOG_EVENT_MONITORING_BACKFILL_DAYS
    export_rows: int = 10_000  # CATALOG_EVENT_MONITORING_EXPORT_ROWS
    api_share: float = 1.0  # CATALOG_SALESFORCE_JOB_API_SHARE


@dataclass
class OrgProgress:
    files: int = 0
    rows: int = 0
    skipped: int = 0
    accesses: int = 0
    flagged: int = 0
    unreadable: int = 0

    def text(self) -> str:
        text = (
            f"{self.files} log files, {self.rows} rows ({self.skipped} malformed skipped),"
            f" {self.accesses} new sensitive accesses ({self.flagged} flagged)"
        )
        return text + (f", {self.unreadable} log files refused" if self.unreadable else "")


@dataclass
class SyncReport:
    orgs: dict[str, str] = field(default_factory=dict)  # org name -> what happened
    failed: list[str] = field(default_factory=list)
    unlicensed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        read = len(self.orgs) - len(self.failed) - len(self.unlicensed)
        head = f"event logs of {read} of {len(self.orgs)} production orgs read"
        return "; ".join([head, *(f"{name}: {text}" for name, text in self.orgs.items())])


def _after_cursor(log_file: LogFileRecord, cursor: EventLogCursor | None) -> bool:
    if cursor is None:
        return True
    return (log_file.log_date, log_file.salesforce_id) > (cursor.log_date, cursor.log_file_id)


async def _pending(
    gateway: SalesforceGateway,
    ref: str,
    cursors: dict[str, EventLogCursor],
    default_since: datetime,
    api_share: float,
) -> list[LogFileRecord]:
    """The files after each type's cursor, oldest first and Login first within a date."""
    since = min(
        [cursors[name].log_date if name in cursors else default_since for name in EVENT_TYPES]
    )
    found: list[LogFileRecord] = []
    next_url: str | None = None
    while True:
        check_api_budget(gateway, ref, api_share)
        page = await read_log_files(
            gateway,
            ref,
            event_types=EVENT_TYPES,
            since=since,
            next_url=next_url,
            deadline=gateway.deadline(),
        )
        found += [f for f in page.files if _after_cursor(f, cursors.get(f.event_type))]
        next_url = page.next_url
        if next_url is None:
            break
    found = [f for f in found if f.event_type in _TYPE_ORDER]
    return sorted(found, key=lambda f: (f.log_date, _TYPE_ORDER[f.event_type], f.salesforce_id))


async def _sync_org(
    session: AsyncSession,
    gateway: SalesforceGateway,
    org: SalesforceOrg,
    terms: SyncTerms,
    now: datetime,
    progress: OrgProgress,
) -> None:
    ref = org.credentials_ref or ""
    cursors = await repository.cursors(session, org.id)
    pending = await _pending(
        gateway, ref, cursors, now - timedelta(days=terms.backfill_days), terms.api_share
    )
    if not pending:
        return
    footprint = await repository.org_footprint(session, org.id)
    check_api_budget(gateway, ref, terms.api_share)
    logins = await read_login_places(
        gateway, ref, since=pending[0].log_date - LOGIN_LOOKBACK, deadline=gateway.deadline()
    )
    holders: dict[str, set[str]] = {}
    if footprint.permission_sets:
        check_api_budget(gateway, ref, terms.api_share)
        by_set = await read_permission_set_holders(
            gateway, ref, sorted(footprint.permission_sets), deadline=gateway.deadline()
        )
        for name, users in by_set.items():
            for user in users:
                holders.setdefault(user[:15], set()).add(name.casefold())
    places = LoginPlaces(logins)
    baselines = await repository.baselines(session, org.id)
    try:
        for log_file in pending:
            check_api_budget(gateway, ref, terms.api_share)
            reading = LogReading(
                org_id=org.id,
                log_file_id=log_file.salesforce_id,
                event_type=log_file.event_type,
                places=places,
                baselines=baselines,
                holders={user: frozenset(names) for user, names in holders.items()},
                sensitive_objects=footprint.sensitive_objects,
                export_rows=terms.export_rows,
            )
            await _read_file(session, gateway, ref, org.id, log_file, reading, progress, now)
    finally:
        await repository.save_baselines(session, org.id, baselines, now)


async def _read_file(
    session: AsyncSession,
    gateway: SalesforceGateway,
    ref: str,
    org_id: uuid.UUID,
    log_file: LogFileRecord,
    reading: LogReading,
    progress: OrgProgress,
    now: datetime,
) -> None:
    try:
        result = await stream_log_file(
            gateway, ref, log_file, reading.consume, deadline=Deadline.after(FILE_DEADLINE_S)
        )
    except SalesforceRejected as error:
        # The org refuses this one file (gone past its retention since it was listed): pass
        # it, or it would stop every later run; an outage or the limit stops the org instead.
        logger.warning("event logs: %s log %s: %s", log_file.event_type, log_file.salesforce_id,
                       error.reason)  # fmt: skip
        progress.unreadable += 1
        reading = replace(reading, activity=set(), accesses={})
        result = StreamResult(0, 0)
    await repository.add_activity(session, reading.activity_rows())
    accesses = list(reading.accesses.values())
    progress.accesses += await repository.add_data_access(session, accesses)
    progress.flagged += sum(1 for access in accesses if access["anomalies"])
    await repository.advance_cursor(
        session,
        org_id,
        log_file.event_type,
        log_date=log_file.log_date,
        log_file_id=log_file.salesforce_id,
        rows=result.rows,
        skipped=result.skipped,
        now=now,
    )
    progress.files += 1
    progress.rows += result.rows
    progress.skipped += result.skipped
    if result.skipped:
        logger.warning(
            "event logs: %s log %s of org %s: %d malformed rows skipped",
            log_file.event_type,
            log_file.salesforce_id,
            gateway.org_id(ref),
            result.skipped,
        )


async def sync_event_logs(
    session: AsyncSession, *, gateway: SalesforceGateway, now: datetime, terms: SyncTerms
) -> SyncReport:
    """Read every connected production org's new logs, one org after the other."""
    report = SyncReport()
    for org in await orgs_repository.connected_production_orgs(session, gateway.orgs):
        progress = OrgProgress()
        licensed = True
        try:
            await _sync_org(session, gateway, org, terms, now, progress)
            text = progress.text()
        except EventMonitoringUnavailable as error:
            licensed, text = False, f"{error.reason}: nothing read"
            report.unlicensed.append(org.name)
        except SalesforceError as error:
            logger.warning("event logs: %s", error)
            text = f"{progress.text()}; stopped: {error.reason} (the next run resumes)"
            report.failed.append(org.name)
        report.orgs[org.name] = text
        await repository.note_org(session, org.id, licensed=licensed, report=text, now=now)
    return report
