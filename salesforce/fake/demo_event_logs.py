"""A quarter of Event Monitoring logs for a demo org, made when read.

Each of the org's first users gets a persona — sales rep, service agent, dispatcher, sales
manager, analyst — that decides the apps and objects they use, how often they work and from
where. A day's plan (who works, from which IP, in which session, at what hour) is drawn from
a random generator seeded by the org and the day, so the LoginHistory rows made now and the
CSV logs streamed later agree, and every demo run shows the same. Three days ago a sales
manager signed in from Brazil at night and took 250,000 opportunities out with the Bulk API.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from salesforce.fake.event_logs import (
    COLUMNS,
    add_log_file,
    add_login,
    assign_permission_set,
    csv_line,
    event_timestamp,
)
from salesforce.fake.org import FakeOrg, Record

DAYS = 90
ESTIMATED_ROW_BYTES = 170  # LogFileLength is announced before a log is ever made
EXPORT_DAYS_AGO, EXPORT_ROWS = 3, 250_000
HOME = ("United Kingdom", "GB", "81.2.69")
ABROAD = ("United States", "US", "64.233.160")
AWAY = ("Brazil", "BR", "177.71.128")


@dataclass(frozen=True)
class Persona:
    name: str
    share: int  # how many of the demo users have it
    app: str
    objects: tuple[str, ...]
    works: float  # chance of working on a weekday
    views: int  # page views in a working day, at most
    permission_set: str | None = None
    place: tuple[str, str, str] = HOME
    api_reads: int = 0  # API queries a working day
    exports: float = 0.0  # chance of a report export a working day


PERSONAS = (
    Persona("sales rep", 12, "Sales", ("Opportunity", "Lead", "Account"), 0.8, 14,
            exports=0.05),
    Persona("service agent", 16, "Service_Console", ("Case", "EmailMessage", "Knowledge__kav"),
            0.9, 20, permission_set="Case_Agent"),
    Persona("dispatcher", 5, "Field_Service", ("ServiceAppointment", "WorkOrder"), 0.85, 10,
            place=ABROAD),
    Persona("sales manager", 4, "Sales", ("Opportunity", "ForecastingItem"), 0.7, 8,
            permission_set="Forecast_Manager", exports=0.3),
    Persona("analyst", 3, "Sales", ("Account", "Contact"), 0.6, 3, api_reads=4),
)  # fmt: skip
TYPES = ("Login", "LightningPageView", "URI", "API", "ReportExport", "BulkApi")


@dataclass(frozen=True)
class Worker:
    user_id: str
    username: str
    persona: Persona
    number: int


@dataclass(frozen=True)
class Shift:
    worker: Worker
    start: datetime
    ip: str
    place: tuple[str, str, str]
    session: str


def _workers(org: FakeOrg) -> list[Worker]:
    with org.lock:
        users = sorted(
            (u for u in org.records["User"].values() if u.get("UserType") == "Standard"),
            key=lambda user: str(user.get("Username")),
        )
    personas = [persona for persona in PERSONAS for _ in range(persona.share)]
    return [
        Worker(str(user["Id"]), str(user.get("Username")), persona, number)
        for number, (user, persona) in enumerate(zip(users, personas, strict=False))
    ]


def _shifts(org: FakeOrg, workers: list[Worker], day: datetime) -> list[Shift]:
    pick = random.Random(f"{org.org_id}:shifts:{day.date()}")
    weekend = day.weekday() >= 5
    shifts = []
    for worker in workers:
        persona = worker.persona
        if pick.random() > (persona.works * (0.1 if weekend else 1.0)):
            continue
        hour = (13 if persona.place is ABROAD else 8) + pick.randint(0, 2)  # 08:00 local
        start = day + timedelta(hours=hour, minutes=pick.randint(0, 59))
        ip = f"{persona.place[2]}.{10 + worker.number}"
        session = f"{day:%m%d}{worker.number:03d}{pick.randint(0, 9999):04d}"
        shifts.append(Shift(worker, start, ip, persona.place, session))
    return shifts


def _export_shift(workers: list[Worker], day: datetime) -> Shift | None:
    managers = [w for w in workers if w.persona.name == "sales manager"]
    if not managers:
        return None
    start = day + timedelta(hours=2, minutes=10)
    return Shift(managers[0], start, f"{AWAY[2]}.45", AWAY, f"{day:%m%d}away")


def _rows(
    event_type: str, org: FakeOrg, shift: Shift, pick: random.Random
) -> Iterator[list[object]]:
    worker, persona = shift.worker, shift.worker.persona
    base = {"USER_ID_DERIVED": worker.user_id, "USER_ID": worker.user_id[:15],
            "SESSION_KEY": shift.session, "LOGIN_KEY": f"L{shift.session}",
            "CLIENT_IP": shift.ip, "SOURCE_IP": shift.ip, "USER_NAME": worker.username}  # fmt: skip
    moments = [shift.start + timedelta(minutes=5 + 7 * n) for n in range(persona.views)]
    events: list[dict[str, object]] = []
    if event_type == "Login":
        events.append({"LOGIN_STATUS": "LOGIN_NO_ERROR", "BROWSER_TYPE": "Chrome"})
    elif event_type == "LightningPageView":
        for moment in moments[: pick.randint(1, persona.views)]:
            events.append({"_at": moment, "APP_NAME": persona.app,
                           "PAGE_ENTITY_TYPE": pick.choice(persona.objects)})  # fmt: skip
    elif event_type == "URI":
        for moment in moments[: pick.randint(0, 3)]:
            name = pick.choice(persona.objects)
            events.append({"_at": moment, "URI": f"/lightning/o/{name}/list",
                           "REQUEST_STATUS": "S"})  # fmt: skip
    elif event_type == "API":
        for n in range(persona.api_reads):
            events.append({"_at": shift.start + timedelta(minutes=30 * n), "METHOD_NAME": "query",
                           "ENTITY_NAME": pick.choice(persona.objects), "API_TYPE": "REST",
                           "ROWS_PROCESSED": pick.randint(20, 2000)})  # fmt: skip
    elif event_type == "ReportExport" and pick.random() < persona.exports:
        events.append({"_at": shift.start + timedelta(hours=2), "REPORT_ID": "00O5g00000Pipe1",
                       "ENTITY_NAME": "Opportunity", "ROW_COUNT": pick.randint(40, 3000),
                       "URI": "/lightning/r/Report/00O5g00000Pipe1/view"})  # fmt: skip
    for number, event in enumerate(events):
        at = event.pop("_at", shift.start)
        moment = at if isinstance(at, datetime) else shift.start
        values = base | event | {
            "EVENT_TYPE": event_type, "TIMESTAMP_DERIVED": event_timestamp(moment),
            "REQUEST_ID": f"{event_type[:3]}{shift.session}{number:03d}",
        }  # fmt: skip
        yield [values.get(column) for column in COLUMNS[event_type]]


def _log(
    org: FakeOrg, workers: list[Worker], day: datetime, event_type: str, away: bool
) -> Callable[[], Iterator[str]]:
    def lines() -> Iterator[str]:
        pick = random.Random(f"{org.org_id}:{event_type}:{day.date()}")
        yield csv_line(COLUMNS[event_type])
        shifts = _shifts(org, workers, day)
        extra = _export_shift(workers, day) if away else None
        for shift in shifts + ([extra] if extra else []):
            if shift is extra and event_type not in ("Login", "BulkApi"):
                continue
            for row in _rows(event_type, org, shift, pick):
                yield csv_line(row)
            if shift is extra and event_type == "BulkApi":
                yield csv_line(_bulk_export(shift))

    return lines


def _bulk_export(shift: Shift) -> list[object]:
    """The night's Bulk API query that took every opportunity out."""
    values: dict[str, object] = {
        "EVENT_TYPE": "BulkApi",
        "TIMESTAMP_DERIVED": event_timestamp(shift.start + timedelta(minutes=12)),
        "REQUEST_ID": "BulkAway",
        "USER_ID_DERIVED": shift.worker.user_id,
        "USER_ID": shift.worker.user_id[:15],
        "LOGIN_KEY": f"L{shift.session}",
        "SESSION_KEY": shift.session,
        "CLIENT_IP": shift.ip,
        "JOB_ID": "7505g00000Away1",
        "ENTITY_TYPE": "Opportunity",
        "OPERATION_TYPE": "query",
        "ROWS_PROCESSED": EXPORT_ROWS,
    }
    return [values.get(column) for column in COLUMNS["BulkApi"]]


def add_demo_event_logs(org: FakeOrg, *, now: datetime, days: int = DAYS) -> None:
    """Daily logs of the last `days` days (made when read), the logins they come from, and
    the permission sets the personas hold."""
    workers = _workers(org)
    for worker in workers:
        if worker.persona.permission_set:
            assign_permission_set(org, worker.user_id, worker.persona.permission_set)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        away = back == EXPORT_DAYS_AGO
        shifts = _shifts(org, workers, day)
        extra = _export_shift(workers, day) if away else None
        for shift in shifts + ([extra] if extra else []):
            country, iso, _ = shift.place
            login_at = shift.start - timedelta(minutes=1)
            user_id = shift.worker.user_id
            add_login(org, user_id, login_at, source_ip=shift.ip, country=country, country_iso=iso)
        for event_type in TYPES:
            estimate = (len(shifts) + 1) * 6 * ESTIMATED_ROW_BYTES
            add_log_file(org, event_type, day, _log(org, workers, day, event_type, away),
                         length=estimate)  # fmt: skip


def demo_users(org: FakeOrg) -> list[Record]:
    """The users the demo logs are about (for tests)."""
    with org.lock:
        wanted = {worker.user_id for worker in _workers(org)}
        return [user for user in org.records["User"].values() if user["Id"] in wanted]
