"""The sandbox sync against the fake: each production org's sandboxes and scratch orgs kept
as a snapshot, matched to the registered orgs, the same however often it runs; an org that
fails keeps its last snapshot and the others are synced."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind
from catalog.sandboxes.models import SandboxSnapshot, ScratchOrgSnapshot
from catalog.sandboxes.sync import sync_sandboxes
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.fake.sandboxes import COPY_TIME, add_sandbox, add_scratch_org
from salesforce.gateway import SalesforceGateway
from tests.builders.catalog import create_org, org_id

DAY = timedelta(days=1)
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


async def _sandboxes(session: AsyncSession) -> list[tuple[str, str | None, str | None, bool]]:
    rows = await session.scalars(
        select(SandboxSnapshot)
        .order_by(SandboxSnapshot.name)
        .execution_options(populate_existing=True)
    )
    return [
        (row.name, row.licence_type, row.source_name, row.registered_org_id is not None)
        for row in rows
    ]


async def test_sandboxes_and_scratch_orgs_are_kept_and_matched_to_registered_orgs(
    fake: FakeSalesforce, gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    production = await create_org(session, org_id=crm.org_id, credentials_ref="crm")
    uat_id, int_id = org_id(9001), org_id(9002)
    uat = await create_org(
        session, org_id=uat_id, kind=OrgKind.SANDBOX, parent_id=production.id, name="CRM UAT"
    )
    by_name = await create_org(session, kind=OrgKind.SANDBOX, parent_id=production.id, name="INT")
    scratch = await create_org(session, kind=OrgKind.SCRATCH, parent_id=production.id)
    full = add_sandbox(crm, "uat", licence="FULL", copies=[NOW - 30 * DAY], sandbox_org_id=uat_id)
    add_sandbox(crm, "int", licence="PARTIAL", copies=[NOW - 9 * DAY], sandbox_org_id=int_id)
    add_sandbox(crm, "training", licence="DEVELOPER", copies=[NOW - 2 * DAY], source=full)
    crm.dev_hub = True
    maker = crm.add("User", Username="grace@acme.test", Email="grace@acme.test")
    add_scratch_org(
        crm, "Pricing spike", created=NOW - DAY, expires_on=date(2026, 12, 9), created_by=maker,
        scratch_org_id=scratch.org_id,
    )  # fmt: skip

    report = await sync_sandboxes(session, gateway=gateway, now=NOW)
    again = await sync_sandboxes(session, gateway=gateway, now=NOW + DAY)

    assert await _sandboxes(session) == [
        ("int", "PARTIAL", None, True),
        ("training", "DEVELOPER", "uat", False),
        ("uat", "FULL", None, True),
    ]
    stored = {
        row.name: row
        for row in await session.scalars(
            select(SandboxSnapshot).execution_options(populate_existing=True)
        )
    }
    assert stored["uat"].registered_org_id == uat.id
    assert stored["int"].registered_org_id == by_name.id
    assert stored["uat"].last_refreshed_at == NOW - 30 * DAY + COPY_TIME
    assert stored["uat"].synced_at == NOW + DAY
    scratch_orgs = list(await session.scalars(select(ScratchOrgSnapshot)))
    assert [(row.name, row.expires_on, row.registered_org_id) for row in scratch_orgs] == [
        ("Pricing spike", date(2026, 12, 9), scratch.id)
    ]
    assert report.summary() == (
        "sandboxes of 1 of 1 production orgs synced (3 sandboxes, 1 scratch orgs);"
        f" {production.name}: 3 sandboxes, 1 scratch orgs"
    )
    assert again.summary() == report.summary()
    # One query per object per org and run.
    assert fake.soql_by_object(crm) == {"SandboxInfo": 2, "SandboxProcess": 2, "ScratchOrgInfo": 2}


async def test_a_sandbox_deleted_in_salesforce_leaves_the_snapshot(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    await create_org(session, org_id=crm.org_id, credentials_ref="crm")
    gone = add_sandbox(crm, "gone", licence="DEVELOPER", copies=[NOW - DAY])
    add_sandbox(crm, "kept", licence="DEVELOPER", copies=[NOW - DAY])
    await sync_sandboxes(session, gateway=gateway, now=NOW)

    del crm.records["SandboxInfo"][gone["Id"]]
    await sync_sandboxes(session, gateway=gateway, now=NOW)

    assert [name for name, *_ in await _sandboxes(session)] == ["kept"]


async def test_an_unavailable_org_keeps_its_last_snapshot_and_the_others_sync(
    gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg, partners: FakeOrg
) -> None:
    await create_org(session, org_id=crm.org_id, credentials_ref="crm", name="Global CRM")
    await create_org(session, org_id=partners.org_id, credentials_ref="partners", name="Partners")
    add_sandbox(crm, "uat", licence="FULL", copies=[NOW - DAY])
    add_sandbox(partners, "qa", licence="DEVELOPER_PRO", copies=[NOW - DAY])
    await sync_sandboxes(session, gateway=gateway, now=NOW)
    add_sandbox(crm, "int", licence="PARTIAL", copies=[NOW])
    partners.exhaust()

    report = await sync_sandboxes(session, gateway=gateway, now=NOW + DAY)

    assert [name for name, *_ in await _sandboxes(session)] == ["int", "qa", "uat"]
    assert report.failed == ["Partners"]
    assert report.summary() == (
        "sandboxes of 1 of 2 production orgs synced (2 sandboxes, 0 scratch orgs);"
        " Global CRM: 2 sandboxes;"
        f" Partners: Salesforce org {partners.org_id}: no API calls left today"
        " (last snapshot kept)"
    )


async def test_an_org_past_the_jobs_share_of_its_api_calls_is_read_no_further(
    fake: FakeSalesforce, gateway: SalesforceGateway, session: AsyncSession, crm: FakeOrg
) -> None:
    await create_org(session, org_id=crm.org_id, credentials_ref="crm", name="Global CRM")
    add_sandbox(crm, "uat", licence="FULL", copies=[NOW - DAY])
    crm.dev_hub = True
    crm.api_max, crm.api_used = 10, 6

    report = await sync_sandboxes(session, gateway=gateway, now=NOW, api_share=0.8)

    assert await _sandboxes(session) == []  # nothing half-read is kept
    assert report.failed == ["Global CRM"]
    assert report.orgs["Global CRM"] == (
        f"Salesforce org {crm.org_id}: API budget reached: 8 of 10 daily calls used, jobs stop"
        " at 80% (CATALOG_SALESFORCE_JOB_API_SHARE) (last snapshot kept)"
    )
    assert fake.soql_by_object(crm) == {"SandboxInfo": 1, "SandboxProcess": 1}
