"""The `salesforce-users` jobs against the fake: nightly for every org, every minute for the
orgs a SCIM deactivation made due; each run idempotent, committed in a database of its own."""

# ruff: noqa: F811  (the fake's fixtures are imported from tests/salesforce and used by name)

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog.org_users.actions import mark_reconciliation_due
from catalog.org_users.models import SalesforceOrgUser
from core.db import make_engine, make_sessionmaker
from core.salesforce_settings import SalesforceOrgConfig
from core.settings import load_settings
from salesforce.api_budget import ApiBudgetReached
from salesforce.fake import FakeOrg, FakeSalesforce
from salesforce.gateway import SalesforceGateway
from server.jobs import JOBS, JobContext
from server.jobs.salesforce_users import BudgetedDirectory
from tests.builders.catalog import create_org
from tests.builders.identity import create_person
from tests.salesforce.conftest import (  # noqa: F401  (fixtures)
    app_key,
    ca,
    ca_bundle,
    crm,
    fake,
    gateway,
    org_configs,
    partners,
)
from tests.salesforce.org_users import licence, user


def test_every_org_is_reconciled_nightly_and_due_ones_within_a_minute() -> None:
    assert JOBS["salesforce-users"].every == timedelta(days=1)
    assert JOBS["salesforce-users-due"].every == timedelta(minutes=1)


async def test_the_jobs_reconcile_due_orgs_once_and_the_nightly_run_changes_nothing_twice(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    fresh_database: str,
    fake: FakeSalesforce,
    crm: FakeOrg,
    partners: FakeOrg,
) -> None:
    settings = load_settings(
        database_url=fresh_database,
        _env_file=None,
        salesforce_orgs=org_configs,
        salesforce_ca_bundle=ca_bundle,
        salesforce_timeout_s=2.0,
    )
    engine = make_engine(fresh_database)
    sessionmaker = make_sessionmaker(engine)
    context = JobContext(settings, engine, sessionmaker)
    profile = licence(crm)
    user(crm, profile, "lee", federation_id="00u-lee")
    user(crm, profile, "stranger")
    try:
        async with sessionmaker() as session, session.begin():
            await create_org(session, org_id=crm.org_id, name="Global CRM", credentials_ref="crm")
            await create_person(session, subject="00u-lee", active=False)
        idle = await JOBS["salesforce-users-due"].run(context)
        async with sessionmaker() as session, session.begin():
            await mark_reconciliation_due(session)
        due = await JOBS["salesforce-users-due"].run(context)
        done = await JOBS["salesforce-users-due"].run(context)
        snapshots: list[Any] = []
        for _ in range(2):
            nightly = await JOBS["salesforce-users"].run(context)
            async with sessionmaker() as session:
                rows = await session.scalars(select(SalesforceOrgUser))
                snapshots.append(
                    sorted((r.username, r.person_id is not None, r.is_frozen) for r in rows)
                )
    finally:
        await engine.dispose()

    assert idle == "no org to reconcile"
    assert due == "Global CRM: 2 active users"
    assert done == "no org to reconcile"
    assert nightly == "Global CRM: 2 active users"
    assert (
        snapshots[0]
        == snapshots[1]
        == [
            ("lee@acme.example.crm", True, False),
            ("stranger@acme.example.crm", False, False),
        ]
    )
    assert fake.soql_by_object(partners) == {}  # not in the catalog: never read


async def test_an_org_past_the_jobs_share_of_its_api_calls_is_not_read(
    gateway: SalesforceGateway, fake: FakeSalesforce, crm: FakeOrg
) -> None:
    crm.api_max, crm.api_used = 1000, 800
    budgeted = BudgetedDirectory(gateway, 0.8)
    # Unknown until this first answer: about 803 of 1000 (its reads answer in any order).
    await budgeted.org_directory("crm")
    fake.clear_calls()

    with pytest.raises(ApiBudgetReached, match=r"80\d of 1000 daily calls used"):
        await budgeted.org_directory("crm")

    assert fake.calls == []
