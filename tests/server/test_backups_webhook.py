"""POST /api/backups: backup tools report runs with CATALOG_BACKUP_WEBHOOK_TOKEN; a bad token,
an unknown org or a bad run stores nothing; a repeat of an externalId stores nothing new."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.backups.models import Backup
from core.clock import utcnow
from core.settings import Settings, load_settings
from identity.audit import AuditEvent, AuditOutcome
from server.app import create_app
from tests.builders.catalog import create_org
from tests.lifespan import lifespan

TOKEN = "backup-tool-token-0123456789abcdef"
FINISHED = utcnow().replace(microsecond=0) - timedelta(hours=1)


def _settings(**overrides: Any) -> Settings:
    return load_settings(database_url="postgresql://unused/unused", _env_file=None, **overrides)


async def _client(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def tool(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(_settings(backup_webhook_token=TOKEN), engine, sessionmaker):
        yield client


def _report(org: str, **overrides: Any) -> dict[str, Any]:
    return {
        "org": org,
        "scope": "DATA",
        "startedAt": (FINISHED - timedelta(minutes=20)).isoformat(),
        "finishedAt": FINISHED.isoformat(),
        "outcome": "SUCCEEDED",
        "records": 4200,
        "location": "s3://backups/crm",
        "source": "OwnBackup",
        "externalId": "job-77",
        **overrides,
    }


def _bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _backups(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Backup)) or 0)


async def test_a_report_by_org_id_is_stored_and_audited(
    tool: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)

    response = await tool.post("/api/backups", json=_report(org.org_id[:15]), headers=_bearer())

    assert response.status_code == 201
    assert response.json()["replayed"] is False
    stored = await session.scalar(select(Backup))
    assert stored is not None
    assert (stored.salesforce_org_id, stored.records, stored.recorded_by) == (
        org.id,
        4200,
        "client:backup-webhook@urn:service-catalog:backup-webhook",
    )
    audited = await session.scalar(
        select(func.count()).where(
            AuditEvent.action == "recordBackup", AuditEvent.outcome == AuditOutcome.SUCCESS
        )
    )
    assert audited == 1


async def test_a_repeated_external_id_replays_the_first_backup(
    tool: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session, credentials_ref="crm-prod")

    first = await tool.post("/api/backups", json=_report("crm-prod"), headers=_bearer())
    again = await tool.post("/api/backups", json=_report("crm-prod"), headers=_bearer())

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"id": first.json()["id"], "replayed": True}
    assert await _backups(session) == 1
    assert org.id is not None


@pytest.mark.parametrize(
    "headers", [{}, _bearer("wrong-token-wrong-token"), {"Authorization": TOKEN}]
)
async def test_a_missing_or_bad_token_is_refused_and_nothing_stored(
    tool: httpx.AsyncClient, session: AsyncSession, headers: dict[str, str]
) -> None:
    org = await create_org(session)

    response = await tool.post("/api/backups", json=_report(org.org_id), headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert await _backups(session) == 0


async def test_an_unknown_org_is_refused_with_the_field(
    tool: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await tool.post("/api/backups", json=_report("00D000000000062"), headers=_bearer())

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "org",
            "message": "no Salesforce org '00D000000000062' in the catalog",
            "code": "NOT_FOUND",
        }
    ]
    assert await _backups(session) == 0


async def test_a_run_finished_before_it_started_is_refused(
    tool: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)
    report = _report(org.org_id, startedAt=FINISHED.isoformat())
    report["finishedAt"] = (FINISHED - timedelta(minutes=1)).isoformat()

    response = await tool.post("/api/backups", json=report, headers=_bearer())

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["finishedAt"]
    assert await _backups(session) == 0


async def test_a_negative_record_count_and_an_unknown_scope_are_refused(
    tool: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await create_org(session)

    response = await tool.post(
        "/api/backups", json=_report(org.org_id, records=-3, scope="EVERYTHING"), headers=_bearer()
    )

    assert response.status_code == 422
    assert sorted(error["field"] for error in response.json()["errors"]) == ["records", "scope"]
    assert await _backups(session) == 0


async def test_without_a_token_configured_the_route_is_not_there(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    org = await create_org(session)
    async for client in _client(_settings(), engine, sessionmaker):
        response = await client.post("/api/backups", json=_report(org.org_id), headers=_bearer())

        assert response.status_code == 404
        assert "CATALOG_BACKUP_WEBHOOK_TOKEN" in response.json()["detail"]
    assert await _backups(session) == 0
