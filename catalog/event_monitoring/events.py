"""One row of an EventLogFile CSV log read as an event: who, when, from which IP, in which
session, with which app and object, and whether it read or exported data (and how many rows).

Pure: no I/O. A row that cannot be read (no time, no user, a count that is no number) is
None, and the caller counts it as skipped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from catalog.event_monitoring.models import DataAction

# API calls that read records (METHOD_NAME, any case); describes and writes read none.
READ_METHODS = frozenset({"query", "queryall", "querymore", "retrieve", "search", "get"})
# Bulk API operations that take records out of the org.
EXPORT_OPERATIONS = frozenset({"query", "queryall"})
# Lightning URLs name the object: /lightning/o/Account/list, /lightning/r/Account/001…/view.
_LIGHTNING_OBJECT = re.compile(r"^/lightning/[or]/(?P<object>[A-Za-z][A-Za-z0-9_]*)/")
_SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


@dataclass(frozen=True)
class Event:
    key: str  # REQUEST_ID, else a hash of the row: the same event in two logs has one key
    event_type: str
    at: datetime
    user_id: str
    session_key: str
    source_ip: str | None
    app: str | None
    object_name: str | None
    action: DataAction | None
    rows: int | None


def parse_timestamp(value: str) -> datetime | None:
    """TIMESTAMP_DERIVED (`2026-12-05T09:14:03.123Z`) or TIMESTAMP (`20261205091403.123`)."""
    for pattern in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%Y%m%d%H%M%S.%f"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _count(value: str) -> int | None:
    """A row count; raises ValueError for one that is no number or negative."""
    if not value:
        return None
    number = int(float(value))
    if number < 0:
        raise ValueError(value)
    return number


def _key(event_type: str, row: dict[str, str]) -> str:
    request_id = row.get("REQUEST_ID", "").strip()
    if request_id and len(request_id) <= 40:
        return f"{event_type}:{request_id}"[:64]
    text = "\x1f".join(f"{name}={row[name]}" for name in sorted(row))
    return hashlib.sha256(f"{event_type}\x1e{text}".encode()).hexdigest()


def _object_and_action(
    event_type: str, row: dict[str, str]
) -> tuple[str | None, str | None, DataAction | None, int | None]:
    """(app, object, data action, rows) of the row, by event type."""
    get = row.get
    if event_type == "API":
        method = get("METHOD_NAME", "").casefold()
        action = DataAction.READ if method in READ_METHODS else None
        return None, get("ENTITY_NAME") or None, action, _count(get("ROWS_PROCESSED", ""))
    if event_type == "ReportExport":
        return None, get("ENTITY_NAME") or None, DataAction.EXPORT, _count(get("ROW_COUNT", ""))
    if event_type == "BulkApi":
        operation = get("OPERATION_TYPE", "").casefold()
        action = DataAction.EXPORT if operation in EXPORT_OPERATIONS else None
        return None, get("ENTITY_TYPE") or None, action, _count(get("ROWS_PROCESSED", ""))
    if event_type == "LightningPageView":
        return get("APP_NAME") or None, get("PAGE_ENTITY_TYPE") or None, None, None
    if event_type == "URI":
        found = _LIGHTNING_OBJECT.match(get("URI", ""))
        return None, found["object"] if found else None, None, None
    return None, None, None, None


def parse_event(event_type: str, row: dict[str, str]) -> Event | None:
    """The row as an event; None when it cannot be one."""
    at = parse_timestamp(row.get("TIMESTAMP_DERIVED") or row.get("TIMESTAMP") or "")
    user_id = row.get("USER_ID_DERIVED") or row.get("USER_ID") or ""
    if at is None or not _SALESFORCE_ID.match(user_id):
        return None
    try:
        app, object_name, action, rows = _object_and_action(event_type, row)
    except ValueError:
        return None
    if object_name is None:
        action = None  # a read of nothing we could name
    return Event(
        key=_key(event_type, row),
        event_type=event_type,
        at=at,
        user_id=user_id[:18],
        session_key=(row.get("SESSION_KEY") or "")[:64],
        source_ip=(row.get("SOURCE_IP") or row.get("CLIENT_IP") or None),
        app=app[:255] if app else None,
        object_name=object_name[:255] if object_name else None,
        action=action,
        rows=rows,
    )
