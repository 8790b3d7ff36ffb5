"""The `salesforce-ideas` and `salesforce-idea-write-back` jobs against the fake over HTTPS."""
# ruff: noqa: F811  (the fake's fixtures, imported from tests/salesforce, are parameters here)

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.salesforce_settings import SalesforceOrgConfig
from core.settings import Settings, load_settings
from feedback.models import Feedback, FeedbackChannel
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway
from server.jobs import JOBS, JobContext
from server.jobs.salesforce_gateway import NO_ORGS
from server.jobs.salesforce_ideas import sync_salesforce_ideas, write_back_salesforce_ideas
from tests.builders.catalog import create_service
from tests.salesforce.conftest import (  # noqa: F401
    app_key,
    ca,
    ca_bundle,
    crm,
    fake,
    gateway,
    org_configs,
    partners,
)
from tests.salesforce.test_idea_write_back import ship_imported_idea


def _settings(orgs: dict[str, SalesforceOrgConfig], ca_bundle: Path) -> Settings:
    return load_settings(
        database_url="postgresql://unused/unused",
        _env_file=None,
        salesforce_orgs=orgs,
        salesforce_ca_bundle=ca_bundle,
        salesforce_timeout_s=1.0,
    )


def test_the_jobs_are_registered() -> None:
    assert JOBS["salesforce-ideas"].every == timedelta(hours=1)
    assert JOBS["salesforce-idea-write-back"].every == timedelta(minutes=1)


async def test_the_sync_reports_each_org_and_goes_on_past_one_out_of_calls(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    crm: FakeOrg,
    partners: FakeOrg,
) -> None:
    await create_service(session, salesforce_key="portal")
    idea = crm.add("Idea", Title="Dark mode", Service__c="portal")
    crm.add("Vote", ParentId=idea["Id"], Type="Up")
    partners.exhaust()
    context = JobContext(_settings(org_configs, ca_bundle), engine, sessionmaker)

    summary = await sync_salesforce_ideas(context)
    again = await sync_salesforce_ideas(context)

    assert summary == (
        "crm: 1 Ideas changed: 1 imported, 1 rescored from 1 votes, 0 naming no known service;"
        f" partners: Salesforce org {partners.org_id}: no API calls left today"
    )
    assert again.startswith("crm: 0 Ideas changed")
    imported = (
        await session.scalars(
            select(Feedback).where(Feedback.channel == FeedbackChannel.SALESFORCE_IDEAS)
        )
    ).all()
    assert [(f.title, f.external_vote_count) for f in imported] == [("Dark mode", 1)]


async def test_without_orgs_the_jobs_say_so(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    context = JobContext(settings, engine, sessionmaker)

    assert await sync_salesforce_ideas(context) == NO_ORGS
    assert await write_back_salesforce_ideas(context) == NO_ORGS


async def test_the_write_back_job_sends_a_shipped_idea_once(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    gateway: SalesforceGateway,
    fake: FakeSalesforce,
    crm: FakeOrg,
) -> None:
    idea = await ship_imported_idea(session, gateway, crm)
    settings = _settings(org_configs, ca_bundle).model_copy(
        update={"salesforce_idea_delivered_status": "Shipped"}
    )
    context = JobContext(settings, engine, sessionmaker)

    first = await write_back_salesforce_ideas(context)
    second = await write_back_salesforce_ideas(context)

    assert first.startswith("1 Idea write-backs sent, 0 failed")
    assert second.startswith("0 Idea write-backs sent, 0 failed")
    assert idea["Status"] == "Shipped"
    comments = [c for c in crm.records["IdeaComment"].values() if c["IdeaId"] == idea["Id"]]
    assert len(comments) == 1
