"""Provisioning drift and licences over GraphQL, and freezing a user: against the fake over
HTTPS, through the real app. Drift reads the last reconciliation; a freeze reaches the org."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catalog.org_users.models import SalesforceOrgUser
from catalog.org_users.reconciliation import reconcile_orgs
from catalog.orgs.models import SalesforceOrg
from core.salesforce_settings import SalesforceOrgConfig
from core.settings import ReadPath, load_settings
from graphql_schema.node import global_id
from identity.audit import AuditEvent, AuditOutcome
from salesforce.fake import FakeOrg
from salesforce.gateway import SalesforceGateway
from server.app import create_app
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_person, create_team
from tests.conftest import StatementCounter
from tests.dev_token import DEV_TOKEN
from tests.graphql import data, gql
from tests.graphql_schema.desk import Desk, desk_client, desk_settings
from tests.identity.idp import TestIssuer
from tests.lifespan import developer_client
from tests.salesforce.org_users import licence, login_of, user

DRIFT = """
query Drift {
  salesforceOrgs(first: 10) {
    edges {
      node {
        name
        provisioningDrift {
          deactivatedButActive {
            username isFrozen licence person { displayName active }
          }
          unmatchedActiveUsers { username email federationIdentifier isFrozen person { id } }
        }
        licences { name total assigned used unused }
      }
    }
  }
}
"""
FREEZE = """
mutation Freeze($input: FreezeSalesforceUserInput!) {
  freezeSalesforceUser(input: $input) {
    salesforceUser { username isFrozen person { displayName } }
    userErrors { field message code }
  }
}
"""


def _client_settings(
    org_configs: dict[str, SalesforceOrgConfig], ca_bundle: Path, **overrides: Any
) -> dict[str, Any]:
    return {
        "salesforce_orgs": org_configs,
        "salesforce_ca_bundle": ca_bundle,
        "salesforce_timeout_s": 1.0,
        **overrides,
    }


@pytest.fixture
async def admin(
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: pytest.FixtureRequest,
) -> AsyncIterator[httpx.AsyncClient]:
    """The development identity (ADMIN), with the fake's orgs connected."""
    pinned = request.node.get_closest_marker("read_path")
    extra = {"read_path": ReadPath(pinned.args[0])} if pinned is not None else {}
    settings = load_settings(
        database_url="postgresql://unused/unused",
        _env_file=None,
        **_client_settings(org_configs, ca_bundle, **extra),
    )
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, dev_token=DEV_TOKEN)
    async with developer_client(app) as client:
        yield client


@pytest.fixture
async def desk(
    issuer: TestIssuer,
    org_configs: dict[str, SalesforceOrgConfig],
    ca_bundle: Path,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Desk]:
    settings = desk_settings(issuer, **_client_settings(org_configs, ca_bundle))
    async with desk_client(issuer, engine, sessionmaker, settings) as desk:
        yield desk


async def _reconcile(session: AsyncSession, org_configs: dict[str, Any], ca_bundle: Path) -> None:
    gateway = SalesforceGateway(org_configs, ca_bundle=ca_bundle, timeout_s=2.0)
    try:
        await reconcile_orgs(
            session, source=gateway, refs=["crm"], only_due=False, now=datetime.now(UTC)
        )
    finally:
        await gateway.close()


async def _crm_with_a_leaver(session: AsyncSession, crm: FakeOrg) -> dict[str, Any]:
    """Ada (active), Lee (deactivated, still active in the org), a stranger, two licences."""
    org = await create_org(session, org_id=crm.org_id, name="Global CRM", credentials_ref="crm")
    await create_person(session, subject="00u-ada", display_name="Ada")
    await create_person(session, subject="00u-lee", display_name="Lee", active=False)
    profile = licence(crm, total=10, used=3)
    platform = licence(crm, "Salesforce Platform", total=5, used=1)
    user(crm, profile, "ada", federation_id="00u-ada", days_since_login=3)
    lee = user(crm, profile, "lee", federation_id="00u-lee", days_since_login=100)
    user(crm, platform, "stranger", days_since_login=None)
    gone = user(crm, profile, "gone", active=False)
    return {"org": org, "lee": lee, "gone": gone}


def _freeze(org: SalesforceOrg, salesforce_user_id: str) -> dict[str, Any]:
    return {
        "input": {
            "orgId": global_id("SalesforceOrg", org.id),
            "salesforceUserId": salesforce_user_id,
        }
    }


async def test_drift_and_licences_come_from_the_last_reconciliation(
    admin: httpx.AsyncClient,
    session: AsyncSession,
    crm: FakeOrg,
    org_configs: dict[str, Any],
    ca_bundle: Path,
) -> None:
    await _crm_with_a_leaver(session, crm)
    await _reconcile(session, org_configs, ca_bundle)

    body = await data(admin, DRIFT)

    assert body["salesforceOrgs"]["edges"] == [
        {
            "node": {
                "name": "Global CRM",
                "provisioningDrift": {
                    "deactivatedButActive": [
                        {
                            "username": "lee@acme.example.crm",
                            "isFrozen": False,
                            "licence": "Salesforce",
                            "person": {"displayName": "Lee", "active": False},
                        }
                    ],
                    "unmatchedActiveUsers": [
                        {
                            "username": "stranger@acme.example.crm",
                            "email": "stranger@acme.example",
                            "federationIdentifier": None,
                            "isFrozen": False,
                            "person": None,
                        }
                    ],
                },
                "licences": [
                    {"name": "Salesforce", "total": 10, "assigned": 3, "used": 1, "unused": 1},
                    {
                        "name": "Salesforce Platform",
                        "total": 5,
                        "assigned": 1,
                        "used": 0,
                        "unused": 1,
                    },
                ],
            }
        }
    ]


async def test_freezing_the_leaver_reaches_the_org_and_the_drift_shows_them_frozen(
    admin: httpx.AsyncClient,
    session: AsyncSession,
    crm: FakeOrg,
    org_configs: dict[str, Any],
    ca_bundle: Path,
) -> None:
    made = await _crm_with_a_leaver(session, crm)
    await _reconcile(session, org_configs, ca_bundle)

    frozen = await data(admin, FREEZE, _freeze(made["org"], made["lee"]["Id"]))
    drift = await data(admin, DRIFT)

    assert frozen["freezeSalesforceUser"] == {
        "salesforceUser": {
            "username": "lee@acme.example.crm",
            "isFrozen": True,
            "person": {"displayName": "Lee"},
        },
        "userErrors": [],
    }
    assert login_of(crm, made["lee"]["Id"])["IsFrozen"] is True
    node = drift["salesforceOrgs"]["edges"][0]["node"]
    assert node["provisioningDrift"]["deactivatedButActive"][0]["isFrozen"] is True
    audited = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "freezeSalesforceUser",
            AuditEvent.outcome == AuditOutcome.SUCCESS,
            AuditEvent.target_type == "SalesforceOrgUser",
        )
    )
    assert audited == 1


async def _snapshot(session: AsyncSession) -> list[tuple[str, bool]]:
    rows = await session.scalars(
        select(SalesforceOrgUser)
        .order_by(SalesforceOrgUser.username)
        .execution_options(populate_existing=True)
    )
    return [(row.username, row.is_frozen) for row in rows]


async def test_a_user_no_longer_in_the_org_is_not_found_and_nothing_changes(
    admin: httpx.AsyncClient,
    session: AsyncSession,
    crm: FakeOrg,
    org_configs: dict[str, Any],
    ca_bundle: Path,
) -> None:
    made = await _crm_with_a_leaver(session, crm)
    await _reconcile(session, org_configs, ca_bundle)
    before = await _snapshot(session)

    gone = await data(admin, FREEZE, _freeze(made["org"], made["gone"]["Id"]))
    unknown = await data(admin, FREEZE, _freeze(made["org"], "not-a-user-id"))

    assert gone["freezeSalesforceUser"] == {
        "salesforceUser": None,
        "userErrors": [
            {
                "field": ["salesforceUserId"],
                "message": f"the org has no active user {made['gone']['Id']}",
                "code": "NOT_FOUND",
            }
        ],
    }
    assert unknown["freezeSalesforceUser"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert login_of(crm, made["gone"]["Id"])["IsFrozen"] is False
    assert await _snapshot(session) == before


async def test_salesforce_down_is_salesforce_unavailable_and_nothing_changes(
    admin: httpx.AsyncClient,
    session: AsyncSession,
    crm: FakeOrg,
    org_configs: dict[str, Any],
    ca_bundle: Path,
) -> None:
    made = await _crm_with_a_leaver(session, crm)
    await _reconcile(session, org_configs, ca_bundle)
    before = await _snapshot(session)
    crm.failing = True

    body = await gql(admin, FREEZE, _freeze(made["org"], made["lee"]["Id"]))

    assert body["data"] is None
    assert [error["extensions"] for error in body["errors"]] == [
        {"code": "SALESFORCE_UNAVAILABLE", "org": crm.org_id}
    ]
    assert login_of(crm, made["lee"]["Id"])["IsFrozen"] is False
    assert await _snapshot(session) == before


async def test_a_team_owning_a_service_on_the_org_may_freeze_and_another_may_not(
    desk: Desk,
    session: AsyncSession,
    crm: FakeOrg,
    org_configs: dict[str, Any],
    ca_bundle: Path,
) -> None:
    made = await _crm_with_a_leaver(session, crm)
    owners = await create_team(session)
    await create_service(session, owner_team_id=owners.id, orgs=[made["org"]])
    owner = await desk.person(session, teams=[owners.id])
    outsider = await desk.person(session, teams=[(await create_team(session)).id])

    refused = await outsider.gql(FREEZE, _freeze(made["org"], made["lee"]["Id"]))
    login_after_refusal = dict(login_of(crm, made["lee"]["Id"]))
    frozen = await owner.data(FREEZE, _freeze(made["org"], made["lee"]["Id"]))

    assert refused["data"] is None
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["FORBIDDEN"]
    assert login_after_refusal["IsFrozen"] is False
    assert frozen["freezeSalesforceUser"]["salesforceUser"]["isFrozen"] is True


@pytest.mark.read_path("resolvers")
async def test_drift_statements_do_not_grow_with_the_orgs(
    admin: httpx.AsyncClient,
    session: AsyncSession,
    crm: FakeOrg,
    org_configs: dict[str, Any],
    ca_bundle: Path,
    count_statements: StatementCounter,
) -> None:
    await _crm_with_a_leaver(session, crm)
    await _reconcile(session, org_configs, ca_bundle)
    await data(admin, DRIFT)  # the first request signs the development person in
    count_statements.reset()
    await data(admin, DRIFT)
    one = count_statements.count

    for n in range(4):
        other = await create_org(session, name=f"Other {n}")
        person = await create_person(session, active=False)
        session.add(
            SalesforceOrgUser(
                salesforce_org_id=other.id,
                salesforce_user_id=f"005{n:015d}",
                username=f"other{n}@acme.example",
                is_active=True,
                is_frozen=False,
                person_id=person.id,
                synced_at=datetime.now(UTC),
            )
        )
    await session.flush()
    count_statements.reset()
    body = await data(admin, DRIFT)

    assert len(body["salesforceOrgs"]["edges"]) == 5
    assert count_statements.count == one
