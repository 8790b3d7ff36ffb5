"""Reconciling org users with people against the fake: who drifts, idempotent runs, a failing
org, one SOQL query per object and org, and statements that do not grow with the users."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.org_users import repository
from catalog.org_users.actions import mark_reconciliation_due
from catalog.org_users.models import SalesforceOrgUser, SalesforceUserSync
from catalog.org_users.reconciliation import reconcile_orgs
from catalog.orgs.models import SalesforceOrg
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway
from tests.builders.catalog import create_org
from tests.builders.identity import create_person
from tests.conftest import StatementCounter
from tests.salesforce.org_users import licence, user


async def _orgs(session: AsyncSession, crm: FakeOrg, partners: FakeOrg) -> list[SalesforceOrg]:
    return [
        await create_org(session, org_id=crm.org_id, name="Global CRM", credentials_ref="crm"),
        await create_org(
            session, org_id=partners.org_id, name="Partners", credentials_ref="partners"
        ),
    ]


async def _reconcile(
    session: AsyncSession, gateway: SalesforceGateway, *, only_due: bool = False
) -> Any:
    return await reconcile_orgs(
        session,
        source=gateway,
        refs=["crm", "partners"],
        only_due=only_due,
        now=datetime.now(UTC),
    )


async def _stored(session: AsyncSession, org: SalesforceOrg) -> dict[str, Any]:
    rows = await session.scalars(
        select(SalesforceOrgUser)
        .where(SalesforceOrgUser.salesforce_org_id == org.id)
        .execution_options(populate_existing=True)
    )
    return {
        row.username.partition("@")[0]: (row.person_id, row.is_frozen, row.licence_name)
        for row in rows
    }


async def test_users_are_matched_to_people_and_drift_is_who_nobody_or_a_leaver_is(
    session: AsyncSession, gateway: SalesforceGateway, crm: FakeOrg, partners: FakeOrg
) -> None:
    crm_org, _ = await _orgs(session, crm, partners)
    ada = await create_person(session, subject="00u-ada", email="ada@acme.example")
    bob = await create_person(session, email="Bob@Acme.example", active=False)
    profile = licence(crm)
    user(crm, profile, "ada", federation_id="00u-ada")
    user(crm, profile, "bob", frozen=True)
    user(crm, profile, "stranger")
    user(crm, profile, "former", active=False)

    report = await _reconcile(session, gateway)

    assert report.summary() == "Global CRM: 3 active users; Partners: 0 active users"
    assert await _stored(session, crm_org) == {
        "ada": (ada.id, False, "Salesforce"),
        "bob": (bob.id, True, "Salesforce"),
        "stranger": (None, False, "Salesforce"),
    }
    drift = await repository.drift_by_org_ids(session, [crm_org.id])
    assert [row.username.partition("@")[0] for row in drift[crm_org.id]] == ["bob", "stranger"]


async def test_running_again_changes_nothing_but_what_the_org_changed(
    session: AsyncSession, gateway: SalesforceGateway, crm: FakeOrg, partners: FakeOrg
) -> None:
    crm_org, _ = await _orgs(session, crm, partners)
    profile = licence(crm)
    stays = user(crm, profile, "stays")
    leaves = user(crm, profile, "leaves")
    await _reconcile(session, gateway)
    first = await _stored(session, crm_org)

    await _reconcile(session, gateway)
    unchanged = await _stored(session, crm_org)
    crm.records["User"][leaves["Id"]]["IsActive"] = False
    crm.records["User"][stays["Id"]]["Email"] = "stays@new.example"
    await _reconcile(session, gateway)

    assert unchanged == first
    assert set(await _stored(session, crm_org)) == {"stays"}
    stored = await repository.get_user(session, crm_org.id, stays["Id"])
    assert stored is not None
    assert stored.email == "stays@new.example"


async def test_a_failing_org_keeps_its_snapshot_and_stays_due_while_the_others_sync(
    session: AsyncSession, gateway: SalesforceGateway, crm: FakeOrg, partners: FakeOrg
) -> None:
    crm_org, partner_org = await _orgs(session, crm, partners)
    user(crm, licence(crm), "kept")
    user(partners, licence(partners), "partner")
    await _reconcile(session, gateway)
    await mark_reconciliation_due(session)
    crm.failing = True

    report = await _reconcile(session, gateway, only_due=True)

    assert report.failed == ["Global CRM"]
    assert set(await _stored(session, crm_org)) == {"kept"}
    syncs = {
        row.salesforce_org_id: row
        for row in await session.scalars(
            select(SalesforceUserSync).execution_options(populate_existing=True)
        )
    }
    assert syncs[crm_org.id].due_at is not None
    assert syncs[crm_org.id].last_error is not None
    assert syncs[partner_org.id].due_at is None
    assert syncs[partner_org.id].last_error is None


async def test_only_due_orgs_are_read_when_asked_for_the_due_ones(
    session: AsyncSession,
    gateway: SalesforceGateway,
    fake: FakeSalesforce,
    crm: FakeOrg,
    partners: FakeOrg,
) -> None:
    await _orgs(session, crm, partners)
    fake.clear_calls()

    nothing = await _reconcile(session, gateway, only_due=True)
    await mark_reconciliation_due(session)
    both = await _reconcile(session, gateway, only_due=True)
    again = await _reconcile(session, gateway, only_due=True)

    assert nothing.summary() == again.summary() == "no org to reconcile"
    assert set(both.orgs) == {"Global CRM", "Partners"}
    assert fake.soql_by_object(crm) == {"User": 1, "UserLogin": 1, "UserLicense": 1}
    assert fake.soql_by_object(partners) == {"User": 1, "UserLogin": 1, "UserLicense": 1}


async def _fill(org: FakeOrg, count: int) -> None:
    profile = next(iter(org.records["Profile"]), None) or licence(org)
    for n in range(count):
        user(org, profile, f"{org.name[:3]}{uuid.uuid4().hex[:6]}{n}")


async def test_statements_do_not_grow_with_the_users(
    session: AsyncSession,
    gateway: SalesforceGateway,
    crm: FakeOrg,
    partners: FakeOrg,
    count_statements: StatementCounter,
) -> None:
    await _orgs(session, crm, partners)
    await _fill(crm, 3)
    await _fill(partners, 1)
    count_statements.reset()
    await _reconcile(session, gateway)
    few = count_statements.count

    await _fill(crm, 60)
    await _fill(partners, 40)
    count_statements.reset()
    await _reconcile(session, gateway)

    assert count_statements.count == few
