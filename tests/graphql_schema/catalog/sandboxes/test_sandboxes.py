"""Sandboxes and scratch orgs through GraphQL: `SalesforceOrg.sandboxes` and `.scratchOrgs`,
`Team.expiringScratchOrgs`, the drift guard `BacklogItem.sandboxesMissingFix`; each the same
statements for few objects as for many."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.orgs.models import OrgKind, SalesforceOrg
from catalog.sandboxes.models import SandboxSnapshot, ScratchOrgSnapshot
from core.clock import utcnow
from graphql_schema.node import global_id
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_membership, create_person, create_team
from tests.builders.work import create_item
from tests.conftest import StatementCounter
from tests.graphql import data, gql
from work.backlog.models import BacklogItemStatus, BacklogItemType
from work.releases.models import HotfixDeployment

DAY = timedelta(days=1)
DEPLOYED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

ORGS = """
{ salesforceOrgs(first: 20) { edges { node {
  name
  sandboxes {
    name licenceType orgId status createdAt lastRefreshedAt source syncedAt
    productionOrg { name } registeredOrg { name kind }
  }
  scratchOrgs { name username orgId status expiresOn createdBy createdByEmail devHub { name } }
} } } }
"""
FIXES = """
query($team: ID!) {
  backlogItems(first: 100, filter: {teamId: $team}) { edges { node {
    title sandboxesMissingFix { name registeredOrg { name } }
  } } }
}
"""
TEAMS = """
query($days: Int!) { teams(first: 50) { edges { node {
  slug expiringScratchOrgs(withinDays: $days) { name expiresOn }
} } } }
"""


def _sandbox(
    production: SalesforceOrg,
    name: str,
    *,
    refreshed: datetime | None,
    created: datetime | None = None,
    registered: SalesforceOrg | None = None,
) -> SandboxSnapshot:
    return SandboxSnapshot(
        production_org_id=production.id,
        salesforce_id=f"0GQ{uuid.uuid4().hex[:15]}",
        name=name,
        licence_type="DEVELOPER",
        sandbox_org_id=registered.org_id if registered else None,
        registered_org_id=registered.id if registered else None,
        status="Completed",
        sandbox_created_at=created or refreshed,
        last_refreshed_at=refreshed,
        source_name=None,
        synced_at=DEPLOYED,
    )


def _scratch(dev_hub: SalesforceOrg, name: str, expires: date, email: str) -> ScratchOrgSnapshot:
    return ScratchOrgSnapshot(
        dev_hub_org_id=dev_hub.id,
        salesforce_id=f"2SR{uuid.uuid4().hex[:15]}",
        name=name,
        username=f"test-{name}@example.com",
        status="Active",
        expires_on=expires,
        created_by_username=email,
        created_by_email=email,
        synced_at=DEPLOYED,
    )


@pytest.mark.read_path("resolvers")
@pytest.mark.parametrize("size", [2, 6])
async def test_org_sandboxes_and_scratch_orgs_cost_flat_statements(
    size: int, client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    for n in range(size):
        production = await create_org(session, name=f"Prod {n:02d}")
        uat = await create_org(
            session, name=f"UAT {n:02d}", kind=OrgKind.SANDBOX, parent_id=production.id
        )
        session.add(_sandbox(production, "uat", refreshed=DEPLOYED, registered=uat))
        session.add(_sandbox(production, "dev", refreshed=None, created=DEPLOYED - DAY))
        session.add(_scratch(production, "spike", date(2026, 12, 9), "a@example.test"))
    await session.flush()
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    result = await data(client, ORGS)

    nodes = {edge["node"]["name"]: edge["node"] for edge in result["salesforceOrgs"]["edges"]}
    first = nodes["Prod 00"]
    assert [(s["name"], s["registeredOrg"]) for s in first["sandboxes"]] == [
        ("dev", None),
        ("uat", {"name": "UAT 00", "kind": "SANDBOX"}),
    ]
    assert first["sandboxes"][1]["productionOrg"] == {"name": "Prod 00"}
    assert first["sandboxes"][1]["lastRefreshedAt"] == "2026-11-20T12:00:00+00:00"
    assert first["scratchOrgs"][0]["devHub"] == {"name": "Prod 00"}
    assert first["scratchOrgs"][0]["expiresOn"] == "2026-12-09"
    assert nodes["UAT 00"]["sandboxes"] == []
    selects = [s for s in count_statements.statements if s.startswith("SELECT")]
    # The page, its count is not asked; sandboxes, scratch orgs, then their orgs in one batch.
    assert len(selects) == 4, "\n\n".join(selects)


async def _hotfixes(session: AsyncSession, size: int) -> tuple[str, dict[str, list[str]]]:
    """`size` hot fixes deployed to a production org with four sandboxes, and what each
    should list: refreshed before (listed), after (not), registered with its own deployment
    recorded (not), registered without (listed)."""
    production = await create_org(session, name="Global CRM")
    service = await create_service(session, orgs=[production])
    qa = await create_org(session, name="QA", kind=OrgKind.SANDBOX, parent_id=production.id)
    uat = await create_org(session, name="UAT", kind=OrgKind.SANDBOX, parent_id=production.id)
    session.add_all(
        [
            _sandbox(production, "before", refreshed=DEPLOYED - DAY),
            _sandbox(production, "after", refreshed=DEPLOYED + DAY),
            _sandbox(production, "qa", refreshed=DEPLOYED - 3 * DAY, registered=qa),
            _sandbox(production, "uat", refreshed=DEPLOYED - 2 * DAY, registered=uat),
        ]
    )
    expected = {}
    for n in range(size):
        item = await create_item(
            session,
            team_id=service.owner_team_id,
            service_id=service.id,
            title=f"Fix {n:02d}",
            type=BacklogItemType.HOTFIX,
            status=BacklogItemStatus.RELEASED,
        )
        session.add(
            HotfixDeployment(item_id=item.id, salesforce_org_id=production.id, deployed_at=DEPLOYED)
        )
        session.add(
            HotfixDeployment(item_id=item.id, salesforce_org_id=uat.id, deployed_at=DEPLOYED)
        )
        expected[item.title] = ["before", "qa"]
    feature = await create_item(session, team_id=service.owner_team_id, title="A feature")
    expected[feature.title] = []
    await session.flush()
    return global_id("Team", service.owner_team_id), expected


@pytest.mark.read_path("resolvers")
@pytest.mark.parametrize("size", [2, 8])
async def test_sandboxes_missing_a_hotfix_are_those_copied_before_it_without_their_own(
    size: int, client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    team, expected = await _hotfixes(session, size)
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    result = await data(client, FIXES, {"team": team})

    found = {
        edge["node"]["title"]: [s["name"] for s in edge["node"]["sandboxesMissingFix"]]
        for edge in result["backlogItems"]["edges"]
    }
    assert found == expected
    listed = result["backlogItems"]["edges"][0]["node"]["sandboxesMissingFix"]
    assert [sandbox["registeredOrg"] for sandbox in listed] == [None, {"name": "QA"}]
    selects = [s for s in count_statements.statements if s.startswith("SELECT")]
    # The page, the drift batch, the registered orgs: the same for 2 hot fixes as for 8.
    assert len(selects) == 3, "\n\n".join(selects)


@pytest.mark.read_path("resolvers")
@pytest.mark.parametrize("size", [2, 6])
async def test_expiring_scratch_orgs_are_listed_per_team_of_their_maker(
    size: int, client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    today = utcnow().date()
    dev_hub = await create_org(session)
    for n in range(size):
        team = await create_team(session, slug=f"team-{n:02d}")
        maker = await create_person(session, email=f"Maker{n}@Example.test")
        await create_membership(session, team_id=team.id, person_id=maker.id)
        email = f"maker{n}@example.test"
        session.add_all(
            [
                _scratch(dev_hub, f"soon-{n}", today + 2 * DAY, email),
                _scratch(dev_hub, f"later-{n}", today + 20 * DAY, email),
                _scratch(dev_hub, f"expired-{n}", today - DAY, email),
            ]
        )
    session.add(_scratch(dev_hub, "nobody's", today + DAY, "stranger@example.test"))
    await session.flush()
    await data(client, "{ viewer { roles } }")

    count_statements.reset()
    week = await data(client, TEAMS, {"days": 7})
    selects = [s for s in count_statements.statements if s.startswith("SELECT")]
    month = await data(client, TEAMS, {"days": 30})
    refused = await gql(client, TEAMS, {"days": 91})

    def names(result: dict[str, list[dict[str, object]]]) -> dict[str, list[object]]:
        edges = result["teams"]["edges"]  # type: ignore[call-overload]
        return {
            e["node"]["slug"]: [s["name"] for s in e["node"]["expiringScratchOrgs"]]
            for e in edges
            if e["node"]["slug"].startswith("team-")
        }

    assert names(week)["team-00"] == ["soon-0"]
    assert names(month)["team-01"] == ["soon-1", "later-1"]
    assert len(selects) == 2, "\n\n".join(selects)  # the page, and one batch for every team
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
