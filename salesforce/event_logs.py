"""Event Monitoring reads: EventLogFile records since a cursor (page by page), each log's CSV
blob streamed and parsed row by row, where logins came from (LoginHistory, LoginGeo) and who
holds which permission sets (PermissionSetAssignment).

What the `salesforce-event-logs` job reads; the gateway's deadline, retries and breaker apply
to every call, and the job checks its API budget between them. A log file is never held in
memory: its lines go from the socket through the `csv` module to the caller's `consume`.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest
from simple_salesforce.util import exception_handler

from salesforce.deadline import Deadline
from salesforce.errors import SalesforceError, error_code
from salesforce.gateway import SalesforceGateway
from salesforce.queries import in_list
from salesforce.records import parse_datetime

Json = dict[str, Any]
# The event types read, Login first: a day's logins place the day's other events.
EVENT_TYPES = ("Login", "API", "ReportExport", "URI", "LightningPageView", "BulkApi")
# A row with a field longer than this is no log row (csv's default limit is 128 KiB).
MAX_FIELD_CHARS = 32_768
CHUNK_BYTES = 64 * 1024
# Past this a line is cut and handed on (to be refused): a file without line breaks must not
# pile up in memory.
MAX_LINE_CHARS = 1024 * 1024


class EventMonitoringUnavailable(SalesforceError):
    """The org has no Event Monitoring licence: it does not know EventLogFile."""

    code = "FEATURE_UNAVAILABLE"


@dataclass(frozen=True)
class LogFileRecord:
    salesforce_id: str
    event_type: str
    log_date: datetime
    interval: str  # Daily | Hourly
    length: int  # LogFileLength, bytes
    path: str  # LogFile: the blob's path on the instance


@dataclass(frozen=True)
class LogFilePage:
    files: list[LogFileRecord]
    next_url: str | None  # nextRecordsUrl: more files to read


@dataclass(frozen=True)
class StreamResult:
    rows: int  # rows handed to `consume` and taken
    skipped: int  # malformed rows (wrong number of cells, unparseable, refused by `consume`)


@dataclass(frozen=True)
class LoginPlace:
    user_id: str
    at: datetime
    source_ip: str | None
    country: str | None  # LoginGeo.Country, as Salesforce geolocated the login
    country_iso: str | None


def log_files_soql(event_types: Sequence[str], since: datetime) -> str:
    """EventLogFiles of these types from `since` on, oldest first (ties by id)."""
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        "SELECT Id, EventType, LogDate, Interval, LogFileLength, LogFile FROM EventLogFile"
        f" WHERE EventType IN {in_list(list(event_types))} AND LogDate >= {stamp}"
        " ORDER BY LogDate, Id"
    )


def logins_soql(since: datetime) -> str:
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        "SELECT UserId, LoginTime, SourceIp, LoginGeo.Country, LoginGeo.CountryIso"
        f" FROM LoginHistory WHERE LoginTime >= {stamp} ORDER BY LoginTime"
    )


def assignments_soql(names: Sequence[str]) -> str:
    return (
        "SELECT AssigneeId, PermissionSet.Name FROM PermissionSetAssignment"
        f" WHERE PermissionSet.Name IN {in_list(list(names))}"
    )


def _log_file(record: Json) -> LogFileRecord | None:
    log_date = parse_datetime(record.get("LogDate"))
    if log_date is None or not record.get("LogFile"):
        return None
    return LogFileRecord(
        salesforce_id=record["Id"],
        event_type=str(record.get("EventType") or ""),
        log_date=log_date,
        interval=str(record.get("Interval") or "Daily"),
        length=int(record.get("LogFileLength") or 0),
        path=str(record["LogFile"]),
    )


def _page(soql: str | None, next_url: str | None, sf: Salesforce) -> Json:
    try:
        if next_url is not None:
            result: Json = sf.query_more(next_url, identifier_is_url=True)
        else:
            result = sf.query(soql or "")
    except SalesforceMalformedRequest as error:
        if error_code(error) == "INVALID_TYPE":
            return {"unlicensed": True}
        raise
    return result


async def read_log_files(
    gateway: SalesforceGateway,
    ref: str,
    *,
    event_types: Sequence[str],
    since: datetime,
    next_url: str | None = None,
    deadline: Deadline,
) -> LogFilePage:
    """One page of the org's EventLogFiles from `since` (or the page at `next_url`).

    Raises `EventMonitoringUnavailable` when the org has no Event Monitoring licence."""
    soql = None if next_url else log_files_soql(event_types, since)
    result = await gateway.orgs[ref].call(partial(_page, soql, next_url), deadline=deadline)
    if result.get("unlicensed"):
        raise EventMonitoringUnavailable(
            gateway.org_id(ref), "Event Monitoring is not licensed (EventLogFile unknown)"
        )
    files = [found for record in result["records"] if (found := _log_file(record)) is not None]
    return LogFilePage(files, None if result["done"] else result.get("nextRecordsUrl"))


def _rows(lines: Iterator[str]) -> Iterator[dict[str, str] | None]:
    """The log's rows by column name; None for a row that is not one (counted by the caller).

    A csv error (an unterminated quote, a NUL) spoils the row it is in, not the next ones;
    a truncated last line is one malformed row."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None
            continue
        if not cells:
            continue
        if len(cells) != len(header) or any(len(cell) > MAX_FIELD_CHARS for cell in cells):
            yield None
            continue
        yield dict(zip(header, cells, strict=True))


def _lines(chunks: Iterator[bytes]) -> Iterator[str]:
    """The body's lines, each with its newline, decoded as UTF-8 as they arrive. Only `\n`
    ends a line: the csv module joins a quoted value's own line breaks back together."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    for chunk in chunks:
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line + "\n"
        if len(pending) > MAX_LINE_CHARS:  # no line is this long: hand it over, malformed
            yield pending + "\n"
            pending = ""
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _stream(path: str, consume: Callable[[dict[str, str]], bool], sf: Salesforce) -> StreamResult:
    url = f"https://{sf.sf_instance}{path}"
    with sf.session.get(url, headers=sf.headers, stream=True) as response:
        if response.status_code >= 300:
            exception_handler(response, "EventLogFile")
        rows = skipped = 0
        for row in _rows(_lines(response.iter_content(chunk_size=CHUNK_BYTES))):
            if row is not None and consume(row):
                rows += 1
            else:
                skipped += 1
    return StreamResult(rows, skipped)


async def stream_log_file(
    gateway: SalesforceGateway,
    ref: str,
    log_file: LogFileRecord,
    consume: Callable[[dict[str, str]], bool],
    *,
    deadline: Deadline,
) -> StreamResult:
    """Stream the log's CSV through `consume(row)` (False: a malformed row, skipped and
    counted), in the org's worker thread. Not retried once rows were consumed: `consume`
    must be idempotent, and the caller counts nothing twice because it keeps keys."""
    return await gateway.orgs[ref].call(partial(_stream, log_file.path, consume), deadline=deadline)


def _records(soql: str, sf: Salesforce) -> list[Json]:
    records: list[Json] = sf.query_all(soql)["records"]
    return records


async def read_login_places(
    gateway: SalesforceGateway, ref: str, *, since: datetime, deadline: Deadline
) -> list[LoginPlace]:
    """Logins from `since` on and where Salesforce placed them (LoginGeo), oldest first."""
    records = await gateway.orgs[ref].call(partial(_records, logins_soql(since)), deadline=deadline)
    places = []
    for record in records:
        at = parse_datetime(record.get("LoginTime"))
        if at is None or not record.get("UserId"):
            continue
        geo = record.get("LoginGeo") or {}
        places.append(
            LoginPlace(
                user_id=str(record["UserId"]),
                at=at,
                source_ip=record.get("SourceIp"),
                country=geo.get("Country"),
                country_iso=geo.get("CountryIso"),
            )
        )
    return places


async def read_permission_set_holders(
    gateway: SalesforceGateway, ref: str, names: Sequence[str], *, deadline: Deadline
) -> dict[str, set[str]]:
    """The users holding each of these permission sets, by permission set name (as asked)."""
    wanted = {name.casefold(): name for name in names}
    holders: dict[str, set[str]] = {name: set() for name in names}
    if not names:
        return holders
    records = await gateway.orgs[ref].call(
        partial(_records, assignments_soql(sorted(set(names)))), deadline=deadline
    )
    for record in records:
        name = ((record.get("PermissionSet") or {}).get("Name") or "").casefold()
        if name in wanted and record.get("AssigneeId"):
            holders[wanted[name]].add(str(record["AssigneeId"]))
    return holders
