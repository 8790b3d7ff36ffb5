"""`purge`: each kind past its retention removed or anonymised in batches, within it kept;
`--dry-run` counts the same and changes nothing; a run is audited with its counts."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.settings import Settings, load_settings
from server.jobs.purge import purge
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person
from tests.builders.service_levels import create_sla
from tests.builders.work import create_incident, create_item, create_request
from work.backlog.models import BacklogItemType
from work.incidents.models import IncidentStatus
from work.requests.models import RequestStatus

COMMAND = Path(sys.executable).parent / "service-catalog"
LONG_AGO = utcnow() - timedelta(days=3000)
LAST_WEEK = utcnow() - timedelta(days=7)

ROWS = """
INSERT INTO audit_event (action, outcome, at)
SELECT 'old', 'SUCCESS', now() - interval '500 days' FROM generate_series(1, 7);
INSERT INTO audit_event (action, outcome, at)
VALUES ('recent', 'SUCCESS', now() - interval '10 days');
INSERT INTO record_version (table_name, record_id, version, action, at)
SELECT 'service', gen_random_uuid(), 1, 'CREATE', now() - interval '3000 days'
FROM generate_series(1, 4);
INSERT INTO idempotency_key (scope, key, request_hash, response_status, response_body,
                             created_at, expires_at)
VALUES ('s', 'expired', 'h', 201, '{}', now() - interval '3 days', now() - interval '2 days'),
       ('s', 'old but live', 'h', 201, '{}', now() - interval '3 days',
        now() + interval '1 hour'),
       ('s', 'live', 'h', 201, '{}', now(), now() + interval '1 day');
INSERT INTO login_state (key, value, expires_at)
VALUES ('expired', 'v', now() - interval '2 days'),
       ('just expired', 'v', now() - interval '1 minute'),
       ('live', 'v', now() + interval '1 minute');
INSERT INTO browser_session (token_hash, person_id, issuer, subject, group_roles, expires_at)
VALUES ('expired', :person, 'i', 's', '{}', now() - interval '2 days'),
       ('live', :person, 'i', 's', '{}', now() + interval '1 hour');
INSERT INTO measurement (metric, service_id, at, value)
VALUES ('COST', :service, now() - interval '800 days', 1),
       ('COST', :service, now() - interval '900 days', 1),
       ('COST', :service, now() - interval '10 days', 2);
INSERT INTO sla_event (objective_id, sla_id, service_id, kind, window_start, window_end,
                       target, at)
SELECT o.id, o.sla_id, :service, 'SLA_BREACHED', now() - make_interval(days => age),
       now() - make_interval(days => age - 30), 0.9, now() - make_interval(days => age)
FROM objective AS o, unnest(ARRAY[1200, 1100, 20]) AS age WHERE o.sla_id = :sla;
INSERT INTO feedback (service_id, contact_email, kind, title, body, rating, channel,
                      created_at)
VALUES (:service, 'old@example.test', 'IDEA', 'Old', 'Old idea', 4, 'API',
        now() - interval '400 days'),
       (:service, 'new@example.test', 'IDEA', 'New', 'New idea', 2, 'API',
        now() - interval '10 days');
INSERT INTO notification_delivery (recipient, event, event_key, body, message, status,
                                   created_at)
SELECT 'voter' || n || '@example.test', 'FEEDBACK_DELIVERED', 'old:' || n, '{}', '{}',
       status, now() - interval '100 days'
FROM unnest(ARRAY['DELIVERED', 'DEAD', 'FAILED']) WITH ORDINALITY
     AS s(status, n);
INSERT INTO notification_delivery (recipient, event, event_key, body, message, status,
                                   created_at)
VALUES ('voter@example.test', 'FEEDBACK_DELIVERED', 'recent', '{}', '{}', 'DELIVERED',
        now() - interval '89 days');
INSERT INTO salesforce_activity (salesforce_org_id, day, kind, name, user_id, session_key)
SELECT :org, (now() - make_interval(days => age))::date, 'OBJECT', 'case', '005000000000001',
       'session-' || age
FROM unnest(ARRAY[500, 10]) AS age;
INSERT INTO salesforce_data_access (salesforce_org_id, event_key, event_type, action,
                                    object_name, user_id, at, rows, source_ip, log_file_id)
SELECT :org, 'request-' || age, 'ReportExport', 'EXPORT', 'Case', '005000000000001',
       now() - make_interval(days => age), 20000, '203.0.113.7', '0AT000000000001'
FROM unnest(ARRAY[500, 10]) AS age;
"""

# Every kind switched on, at its minimum where its default keeps it forever.
ALL_KINDS = {
    "retention_history_days": 90,
    "retention_requests_days": 732,
    "retention_incidents_days": 732,
    "retention_measurements_days": 732,
}

EVERY_KIND_COUNTED = {
    "audit events": 7,
    "history": 4,
    "closed requests": 2,
    "closed incidents": 1,
    "measurements": 2,
    "SLA events": 2,
    "feedback contact emails": 1,
    "deactivated people": 2,
    "idempotency keys": 1,
    "login states": 1,
    "browser sessions": 1,
    "notification deliveries": 3,
    "Salesforce activity": 1,
    "sensitive-data accesses": 1,
}


@dataclass
class Seeded:
    kept_request: uuid.UUID
    removed_request: uuid.UUID
    removed_incident: uuid.UUID
    hotfixed_incident: uuid.UUID
    former: uuid.UUID
    recently_deactivated: uuid.UUID
    active: uuid.UUID
    voter: uuid.UUID


async def _seed(session: AsyncSession) -> Seeded:
    service = await create_service(session)
    person = await create_person(session)
    former = await create_person(
        session,
        active=False,
        updated_at=LONG_AGO,
        scim_user_name="former@example.test",
        scim_external_id="former-ext",
        scim_attributes={"name": {"givenName": "Ada"}, "emails": [{"value": "a@x.test"}]},
    )
    other_former = await create_person(session, active=False, updated_at=LONG_AGO)
    recent = await create_person(session, active=False, updated_at=LAST_WEEK)

    def request(status: RequestStatus, at: Any) -> Any:
        return create_request(
            session,
            service_id=service.id,
            requester_id=former.id,
            status=status,
            created_at=at,
            updated_at=at,
        )

    removed_request = await request(RequestStatus.CLOSED, LONG_AGO)
    await request(RequestStatus.REJECTED, LONG_AGO)
    await request(RequestStatus.IN_PROGRESS, LONG_AGO)  # open: kept
    kept_request = await request(RequestStatus.CLOSED, LAST_WEEK)

    def incident(at: Any) -> Any:
        return create_incident(
            session,
            service_ids=[service.id],
            status=IncidentStatus.CLOSED,
            detected_at=at,
            resolved_at=at,
            closed_at=at,
            updated_at=at,
            commander_id=other_former.id,
        )

    removed_incident = await incident(LONG_AGO)
    hotfixed = await incident(LONG_AGO)
    await incident(LAST_WEEK)
    await create_item(
        session,
        team_id=service.owner_team_id,
        service_id=service.id,
        type=BacklogItemType.HOTFIX,
        source_type="INCIDENT",
        source_id=hotfixed.id,
    )
    sla = await create_sla(session, service.id, 0.9)
    org = await create_org(session)
    parameters = {"service": service.id, "person": person.id, "sla": sla.id, "org": org.id}
    for statement in ROWS.split(";"):
        if statement.strip():
            await session.execute(text(statement), parameters)
    await session.execute(
        text(
            "INSERT INTO feedback_vote (feedback_id, person_id)"
            " SELECT id, :person FROM feedback WHERE title = 'Old'"
        ),
        {"person": former.id},
    )
    return Seeded(
        kept_request=kept_request.id,
        removed_request=removed_request.id,
        removed_incident=removed_incident.id,
        hotfixed_incident=hotfixed.id,
        former=former.id,
        recently_deactivated=recent.id,
        active=person.id,
        voter=former.id,
    )


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(fresh_database)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    async with sessionmaker() as session, session.begin():
        return await _seed(session)


def settings(**overrides: int) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


async def scalar(engine: AsyncEngine, sql: str, **parameters: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), parameters)


async def count(engine: AsyncEngine, sql: str, **parameters: Any) -> int:
    return int(await scalar(engine, sql, **parameters) or 0)


TABLES = (
    "audit_event",
    "record_version",
    "service_request",
    "service_request_status_change",
    "incident",
    "incident_status_change",
    "incident_service",
    "measurement",
    "sla_event",
    "feedback",
    "feedback_vote",
    "person",
    "idempotency_key",
    "login_state",
    "browser_session",
    "notification_delivery",
    "salesforce_activity",
    "salesforce_data_access",
)


async def snapshot(engine: AsyncEngine) -> dict[str, Any]:
    """Every row of every table a purge touches, as text."""
    state: dict[str, Any] = {}
    async with engine.connect() as connection:
        for table in TABLES:
            rows = await connection.scalars(
                text(f"SELECT row_to_json(t)::text FROM {table} AS t ORDER BY 1")
            )
            state[table] = list(rows)
    return state


async def test_each_kind_past_its_retention_goes_and_within_it_stays(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    report = await purge(sessionmaker, settings(**ALL_KINDS), batch_size=1)

    assert {name: n for name, (_, n) in report.counts.items()} == EVERY_KIND_COUNTED
    assert report.kept_forever == []
    assert await count(engine, "SELECT count(*) FROM audit_event WHERE action = 'old'") == 0
    assert await count(engine, "SELECT count(*) FROM audit_event WHERE action = 'recent'") == 1
    assert await count(engine, "SELECT count(*) FROM service_request") == 2  # open, recent
    for table, column, key in (
        ("service_request", "id", seeded.removed_request),
        ("service_request_status_change", "request_id", seeded.removed_request),
        ("record_version", "record_id", seeded.removed_request),
        ("incident", "id", seeded.removed_incident),
        ("incident_service", "incident_id", seeded.removed_incident),
        ("incident_status_change", "incident_id", seeded.removed_incident),
        ("record_version", "record_id", seeded.removed_incident),
    ):
        sql = f"SELECT count(*) FROM {table} WHERE {column} = :key"
        assert await count(engine, sql, key=key) == 0, table
    # A hot fix was made from it: TIME_TO_HOTFIX still reads it.
    hotfixed = "SELECT count(*) FROM incident WHERE id = :key"
    assert await count(engine, hotfixed, key=seeded.hotfixed_incident) == 1
    assert await count(engine, "SELECT count(*) FROM incident") == 2
    assert await count(engine, "SELECT count(*) FROM measurement") == 1
    assert await count(engine, "SELECT count(*) FROM sla_event") == 1
    assert await count(engine, "SELECT count(*) FROM idempotency_key") == 2
    assert await count(engine, "SELECT count(*) FROM login_state") == 2
    assert await count(engine, "SELECT count(*) FROM browser_session") == 1
    assert await count(engine, "SELECT count(*) FROM notification_delivery") == 1
    # What the event logs left: the recent day and access stay.
    assert await count(engine, "SELECT count(*) FROM salesforce_activity") == 1
    assert await count(engine, "SELECT count(*) FROM salesforce_data_access") == 1


async def test_deliveries_older_than_their_period_go_whatever_their_status(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    dry = await purge(sessionmaker, settings(retention_deliveries_days=90), dry_run=True)
    assert dry.counts["notification deliveries"][1] == 3
    assert "would purge 3 notification deliveries" in dry.lines()
    assert await count(engine, "SELECT count(*) FROM notification_delivery") == 4

    run = await purge(sessionmaker, settings(retention_deliveries_days=90))

    assert run.removed["notification deliveries"] == 3
    keys = await scalar(engine, "SELECT array_agg(event_key) FROM notification_delivery")
    assert keys == ["recent"]
    forever = await purge(sessionmaker, settings(retention_deliveries_days=0), dry_run=True)
    assert "notification deliveries" in forever.kept_forever


async def test_anonymous_contact_emails_are_erased_and_the_feedback_kept(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    figures = "SELECT count(*), avg(rating), sum(vote_count) FROM feedback"
    before = await _row(engine, figures)

    await purge(sessionmaker, settings())

    assert await _row(engine, figures) == before  # counts and SATISFACTION unchanged
    assert await count(engine, "SELECT count(*) FROM feedback_vote") == 1
    emails = await _row(engine, "SELECT array_agg(contact_email ORDER BY title) FROM feedback")
    assert emails == (["new@example.test", None],)


async def test_deactivated_people_are_anonymised_keeping_their_rows_and_references(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    people = await count(engine, "SELECT count(*) FROM person")

    report = await purge(sessionmaker, settings())

    assert report.anonymised["deactivated people"] == 2
    assert await count(engine, "SELECT count(*) FROM person") == people
    former = await _row(
        engine,
        "SELECT email, display_name, scim_user_name, scim_external_id, scim_attributes,"
        " active FROM person WHERE id = :id",
        id=seeded.former,
    )
    assert former == (
        None,
        f"Former member {str(seeded.former)[:8]}",
        f"anonymised-{seeded.former}",
        "former-ext",
        None,
        False,
    )
    history = await scalar(
        engine,
        "SELECT string_agg(changes::text, ' ') FROM record_version WHERE record_id = :id",
        id=seeded.former,
    )
    for personal in ("@example.test", "a@x.test", "Ada", "Person "):
        assert personal not in history
    assert "(anonymised)" in history
    # Their requests and votes still count, and still name them.
    requests = "SELECT count(*) FROM service_request WHERE requester_id = :id"
    assert await count(engine, requests, id=seeded.former) == 4
    votes = "SELECT count(*) FROM feedback_vote WHERE person_id = :id"
    assert await count(engine, votes, id=seeded.voter) == 1
    # Within the period, or active: untouched.
    for key in (seeded.recently_deactivated, seeded.active):
        email = await scalar(engine, "SELECT email FROM person WHERE id = :id", id=key)
        assert email is not None
        assert email.endswith("@example.test")
    again = await purge(sessionmaker, settings())
    assert again.anonymised["deactivated people"] == 0


async def test_a_dry_run_changes_nothing_and_counts_what_a_run_does(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    before = await snapshot(engine)

    dry = await purge(sessionmaker, settings(**ALL_KINDS), dry_run=True)

    assert await snapshot(engine) == before
    assert dry.lines()[:3] == [
        "would purge 7 audit events",
        "would purge 4 history",
        "would purge 2 closed requests",
    ]
    assert "would anonymise 2 deactivated people" in dry.lines()
    run = await purge(sessionmaker, settings(**ALL_KINDS), batch_size=2)
    assert run.counts == dry.counts
    assert run.lines()[:2] == ["purged 7 audit events", "purged 4 history"]


async def test_a_run_is_audited_with_its_counts_per_kind(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    await purge(sessionmaker, settings())

    details = await scalar(engine, "SELECT details FROM audit_event WHERE action = 'PURGE'")
    assert details["removed"] == {
        "audit_event": 7,
        "sla_event": 2,
        "idempotency_key": 1,
        "login_state": 1,
        "browser_session": 1,
        "notification_delivery": 3,
        "salesforce_activity": 1,
        "salesforce_data_access": 1,
    }
    assert details["anonymised"] == {"feedback_contact_email": 1, "person": 2}
    assert details["kept_forever"] == [
        "record_version",
        "service_request",
        "incident",
        "measurement",
    ]
    assert details["retention_days"]["retention_people_days"] == 90


async def test_a_dry_run_is_not_audited(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    await purge(sessionmaker, settings(), dry_run=True)

    assert await count(engine, "SELECT count(*) FROM audit_event WHERE action = 'PURGE'") == 0


async def test_zero_days_keeps_a_kind_forever(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    report = await purge(
        sessionmaker,
        settings(retention_audit_days=0, retention_feedback_days=0, retention_people_days=0),
    )

    assert "audit events" not in report.counts
    assert report.kept_forever == [
        "audit events",
        "history",  # the default of each of these is 0
        "closed requests",
        "closed incidents",
        "measurements",
        "feedback contact emails",
        "deactivated people",
    ]
    assert await count(engine, "SELECT count(*) FROM audit_event WHERE action = 'old'") == 7
    assert await count(engine, "SELECT count(*) FROM feedback WHERE contact_email IS NULL") == 0


async def test_audit_events_stay_append_only_outside_purge(
    engine: AsyncEngine, seeded: Seeded
) -> None:
    with pytest.raises(Exception, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM audit_event"))


def test_the_command_prints_what_it_would_do_then_does_it(
    seeded: Seeded, fresh_database: str
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CATALOG_")}
    env |= {"CATALOG_DATABASE_URL": fresh_database, "CATALOG_RETENTION_HISTORY_DAYS": "90"}

    def run(*arguments: str) -> list[str]:
        done = subprocess.run(
            [str(COMMAND), "purge", *arguments],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    expected = [
        "purged 7 audit events",
        "purged 4 history",
        "purged 2 SLA events",
        "anonymised 1 feedback contact emails",
        "anonymised 2 deactivated people",
        "purged 1 idempotency keys",
        "purged 1 login states",
        "purged 1 browser sessions",
        "purged 3 notification deliveries",
        "purged 1 Salesforce activity",
        "purged 1 sensitive-data accesses",
        "kept closed requests: retention 0 keeps them forever",
        "kept closed incidents: retention 0 keeps them forever",
        "kept measurements: retention 0 keeps them forever",
    ]
    assert run("--dry-run") == [
        line.replace("purged", "would purge").replace("anonymised", "would anonymise")
        for line in expected
    ]
    assert run() == expected


async def _row(engine: AsyncEngine, sql: str, **parameters: Any) -> tuple[Any, ...]:
    async with engine.connect() as connection:
        row = (await connection.execute(text(sql), parameters)).one()
    return tuple(row)
