"""Salesforce Ideas imported as feedback through the gateway, idempotently."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.salesforce_settings import SalesforceOrgConfig
from core.settings import load_settings
from feedback.ideas_import import ImportSummary, import_ideas
from feedback.models import Feedback, FeedbackChannel, FeedbackKind
from salesforce.fake import FakeOrg
from salesforce.gateway import SalesforceGateway
from server.ideas_import import run_ideas_import
from tests.builders.catalog import create_service


async def _imported(session: AsyncSession) -> list[Feedback]:
    rows = await session.scalars(
        select(Feedback)
        .where(Feedback.channel == FeedbackChannel.SALESFORCE_IDEAS)
        .order_by(Feedback.title)
    )
    return list(rows)


async def test_ideas_naming_a_service_become_feedback_once(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    portal = await create_service(session, salesforce_key="Partner-Portal")
    dark = crm.add("Idea", Title="Dark mode", Body="Please", Service__c="partner-portal")
    crm.add("Idea", Title="Export to CSV", Service__c="Partner-Portal", VoteTotal=12)
    crm.add("Idea", Title="Elsewhere", Service__c="no-such-service")
    crm.add("Idea", Title="About nothing")

    first = await import_ideas(session, source=gateway, ref="crm")
    again = await import_ideas(session, source=gateway, ref="crm")

    assert first == ImportSummary(read=3, imported=2, already_imported=0, unknown_service=1)
    assert again == ImportSummary(read=3, imported=0, already_imported=2, unknown_service=1)
    imported = await _imported(session)
    assert [(f.title, f.kind, f.service_id) for f in imported] == [
        ("Dark mode", FeedbackKind.IDEA, portal.id),
        ("Export to CSV", FeedbackKind.IDEA, portal.id),
    ]
    assert imported[0].external_id == dark["Id"]
    assert imported[0].body.startswith("Please\n\n(Salesforce Idea https://")
    assert "12 votes there" in imported[1].body


async def test_the_command_imports_each_org_in_its_own_transaction(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    fresh_database: str,
    crm: FakeOrg,
    partners: FakeOrg,
) -> None:
    settings = load_settings(
        database_url=fresh_database,
        _env_file=None,
        salesforce_orgs=org_configs,
        salesforce_ca_bundle=ca_bundle,
        salesforce_timeout_s=1.0,
    )
    crm.add("Idea", Title="Unknown service", Service__c="nothing-here")
    partners.exhaust()

    outcomes = await run_ideas_import(settings, fresh_database)

    assert outcomes == [
        ("crm", "1 Ideas read: 0 imported, 0 already imported, 1 naming no known service", True),
        (
            "partners",
            f"Salesforce org {partners.org_id}: no API calls left today",
            False,
        ),
    ]
