"""Event Monitoring in a fake org: EventLogFile records whose blobs are CSV logs made when read,
LoginHistory rows with their LoginGeo, permission sets and their assignments.

A log's lines come from a function called at each download, so a quarter of generated logs
costs no memory until a client streams one (GET .../sobjects/EventLogFile/{Id}/LogFile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from salesforce.fake.org import FakeOrg, Fault, Record

DAILY, HOURLY = "Daily", "Hourly"
LOG_PATH = "/services/data/v{version}/sobjects/EventLogFile/{id}/LogFile"
BLOB = "/LogFile"
CHUNK_BYTES = 64 * 1024
# The columns each event type's log has here (a subset of Salesforce's, same names and order
# of importance); `EVENT_TYPE` and `TIMESTAMP_DERIVED` lead every one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "Login": (
        "EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "USER_ID_DERIVED", "USER_ID",
        "USER_NAME", "LOGIN_KEY", "SESSION_KEY", "SOURCE_IP", "LOGIN_STATUS", "BROWSER_TYPE",
    ),
    "API": (
        "EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "USER_ID_DERIVED", "USER_ID",
        "LOGIN_KEY", "SESSION_KEY", "CLIENT_IP", "METHOD_NAME", "ENTITY_NAME", "ROWS_PROCESSED",
        "API_TYPE",
    ),
    "ReportExport": (
        "EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "USER_ID_DERIVED", "USER_ID",
        "LOGIN_KEY", "SESSION_KEY", "CLIENT_IP", "REPORT_ID", "ENTITY_NAME", "ROW_COUNT", "URI",
    ),
    "URI": (
        "EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "USER_ID_DERIVED", "USER_ID",
        "LOGIN_KEY", "SESSION_KEY", "CLIENT_IP", "URI", "REQUEST_STATUS",
    ),
    "LightningPageView": (
        "EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "USER_ID_DERIVED", "USER_ID",
        "LOGIN_KEY", "SESSION_KEY", "CLIENT_IP", "APP_NAME", "PAGE_ENTITY_TYPE", "PAGE_URL",
    ),
    "BulkApi": (
        "EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "USER_ID_DERIVED", "USER_ID",
        "LOGIN_KEY", "SESSION_KEY", "CLIENT_IP", "JOB_ID", "ENTITY_TYPE", "OPERATION_TYPE",
        "ROWS_PROCESSED",
    ),
}  # fmt: skip


def csv_line(values: Sequence[object]) -> str:
    """One CSV line as Salesforce writes its logs: every value quoted."""
    cells = ("" if value is None else str(value) for value in values)
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells) + "\n"


def event_timestamp(moment: datetime) -> str:
    """TIMESTAMP_DERIVED: `2026-12-05T09:14:03.123Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def add_log_file(
    org: FakeOrg,
    event_type: str,
    log_date: datetime,
    lines: Callable[[], Iterable[str]],
    *,
    interval: str = DAILY,
    length: int | None = None,
    version: str = "59.0",
) -> Record:
    """An EventLogFile whose blob is `lines()` (header line first), read at each download.

    `length` is LogFileLength (bytes); without it the lines are counted once now."""
    if length is None:
        length = sum(len(line.encode()) for line in lines())
    record = org.add(
        "EventLogFile",
        EventType=event_type,
        LogDate=log_date,
        Interval=interval,
        LogFileLength=float(length),
        LogFileContentType="CSV",
        LogFileFieldNames=",".join(COLUMNS.get(event_type, ())),
        Sequence=1,
        CreatedDate=log_date,
    )
    record["LogFile"] = LOG_PATH.format(version=version, id=record["Id"])
    with org.lock:
        org.log_files[record["Id"]] = lines
    return record


def rows_file(event_type: str, rows: Sequence[Mapping[str, object]]) -> Callable[[], Iterator[str]]:
    """A log of these rows (by column name; missing ones empty), for tests."""
    columns = COLUMNS[event_type]

    def lines() -> Iterator[str]:
        yield csv_line(columns)
        for row in rows:
            yield csv_line([row.get(column, event_type if column == "EVENT_TYPE" else None)
                            for column in columns])  # fmt: skip

    return lines


def blob(org: FakeOrg, parts: list[str]) -> Iterator[bytes]:
    """The bytes of `sobjects/EventLogFile/{Id}/LogFile`, in chunks."""
    if not org.knows("EventLogFile"):
        raise Fault(404, "NOT_FOUND", "The requested resource does not exist")
    with org.lock:
        lines = org.log_files.get(parts[1]) if len(parts) == 3 else None
    if lines is None:
        raise Fault(404, "NOT_FOUND", "The requested resource does not exist")
    return _chunks(lines())


def _chunks(lines: Iterable[str]) -> Iterator[bytes]:
    buffer: list[bytes] = []
    size = 0
    for line in lines:
        data = line.encode()
        buffer.append(data)
        size += len(data)
        if size >= CHUNK_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def add_login(
    org: FakeOrg,
    user_id: str,
    at: datetime,
    *,
    source_ip: str,
    country: str | None,
    country_iso: str | None,
    city: str | None = None,
) -> Record:
    """A successful login and where Salesforce placed it (no LoginGeo without a country)."""
    geo = (
        org.add("LoginGeo", Country=country, CountryIso=country_iso, City=city, LoginTime=at)
        if country is not None
        else None
    )
    return org.add(
        "LoginHistory",
        UserId=user_id,
        LoginTime=at,
        LoginType="Application",
        Status="Success",
        SourceIp=source_ip,
        LoginGeoId=geo["Id"] if geo else None,
        Platform="Mac OSX",
    )


def assign_permission_set(org: FakeOrg, user_id: str, name: str) -> Record:
    """Assign the permission set `name` (made on first use) to the user."""
    with org.lock:
        found = [ps for ps in org.records["PermissionSet"].values() if ps.get("Name") == name]
        permission_set = found[0] if found else org.add(
            "PermissionSet", Name=name, Label=name.replace("_", " "), IsOwnedByProfile=False
        )  # fmt: skip
        return org.add(
            "PermissionSetAssignment", AssigneeId=user_id, PermissionSetId=permission_set["Id"]
        )
