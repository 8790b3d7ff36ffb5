"""Hot fixes after the build: deployed org by org, merged back, listed until everywhere."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_org, create_service
from tests.builders.identity import create_team
from tests.builders.work import create_item
from tests.graphql import data
from work.backlog.models import BacklogItemStatus, BacklogItemType

DEPLOY = """
mutation($input: RecordHotfixDeploymentInput!) {
  recordHotfixDeployment(input: $input) {
    hotfixDeployment { deployedAt salesforceOrg { name } item { pendingOrgs { name } } }
    userErrors { field code message }
  }
}
"""
BACK_MERGE = """
mutation($input: RecordBackMergeInput!) {
  recordBackMerge(input: $input) {
    backlogItem { backMergedAt version }
    userErrors { field code message }
  }
}
"""
OPEN = """
{ openHotfixes { nodes { title affectedOrgs { name } pendingOrgs { name } } } }
"""
CREATE = """
mutation($input: CreateBacklogItemInput!) {
  createBacklogItem(input: $input) {
    backlogItem { id affectedOrgs { name } }
    userErrors { field code message }
  }
}
"""


def _id(record: Any) -> str:
    return global_id(type(record).__name__, record.id)


async def _hotfix(session: AsyncSession, **overrides: Any) -> Any:
    emea = await create_org(session, name="EMEA")
    apac = await create_org(session, name="APAC")
    service = await create_service(session, orgs=[emea, apac])
    values = {
        "team_id": service.owner_team_id,
        "service_id": service.id,
        "type": BacklogItemType.HOTFIX,
        "status": BacklogItemStatus.DONE,
        "title": "Fix login",
        **overrides,
    }
    item = await create_item(session, **values)
    return item, emea, apac


async def _deploy(client: httpx.AsyncClient, item: Any, org: Any, **extra: Any) -> dict[str, Any]:
    given = {"itemId": _id(item), "salesforceOrgId": _id(org), **extra}
    payload: dict[str, Any] = (await data(client, DEPLOY, {"input": given}))[
        "recordHotfixDeployment"
    ]
    return payload


async def test_a_hot_fix_stays_open_until_every_org_of_its_service_has_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    item, emea, apac = await _hotfix(session)

    before = await data(client, OPEN)
    first = await _deploy(client, item, emea, deployedAt="2026-03-01T10:00:00+01:00")
    halfway = await data(client, OPEN)
    await _deploy(client, item, apac)
    after = await data(client, OPEN)

    assert before["openHotfixes"]["nodes"] == [
        {
            "title": "Fix login",
            "affectedOrgs": [{"name": "EMEA"}, {"name": "APAC"}],
            "pendingOrgs": [{"name": "EMEA"}, {"name": "APAC"}],
        }
    ]
    assert first == {
        "hotfixDeployment": {
            "deployedAt": "2026-03-01T09:00:00+00:00",
            "salesforceOrg": {"name": "EMEA"},
            "item": {"pendingOrgs": [{"name": "APAC"}]},
        },
        "userErrors": [],
    }
    assert halfway["openHotfixes"]["nodes"][0]["pendingOrgs"] == [{"name": "APAC"}]
    assert after["openHotfixes"]["nodes"] == []


async def test_orgs_given_explicitly_replace_the_service_orgs(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    sandbox = await create_org(session, name="Partner sandbox")
    service = await create_service(session, orgs=[await create_org(session)])

    created = await data(
        client,
        CREATE,
        {
            "input": {
                "title": "Patch",
                "type": "VULNERABILITY",
                "serviceId": _id(service),
                "affectedOrgIds": [_id(sandbox)],
            }
        },
    )
    feature = await data(
        client,
        CREATE,
        {"input": {"title": "New", "serviceId": _id(service), "affectedOrgIds": [_id(sandbox)]}},
    )

    assert created["createBacklogItem"]["backlogItem"]["affectedOrgs"] == [
        {"name": "Partner sandbox"}
    ]
    assert feature["createBacklogItem"]["userErrors"] == [
        {
            "field": ["affectedOrgIds"],
            "code": "INVALID",
            "message": "only hot fixes and vulnerabilities have affected orgs",
        }
    ]


async def test_a_deployment_is_refused_outside_the_affected_orgs_and_before_done(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    item, emea, _ = await _hotfix(session)
    unbuilt, _, _ = await _hotfix(session, status=BacklogItemStatus.READY, title="Unbuilt")
    elsewhere = await create_org(session, name="Elsewhere")

    outside = await _deploy(client, item, elsewhere)
    early = await _deploy(client, unbuilt, emea)

    assert outside == {
        "hotfixDeployment": None,
        "userErrors": [
            {
                "field": ["salesforceOrgId"],
                "code": "NOT_FOUND",
                "message": "the org is not one the hot fix must reach",
            }
        ],
    }
    assert early["userErrors"] == [
        {
            "field": ["itemId"],
            "code": "INVALID",
            "message": "a hot fix is deployed once DONE or RELEASED; this one is READY",
        }
    ]


async def test_recording_an_org_again_corrects_the_time(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    item, emea, _ = await _hotfix(session)

    await _deploy(client, item, emea, deployedAt="2026-03-01T10:00:00+00:00")
    corrected = await _deploy(client, item, emea, deployedAt="2026-03-01T08:30:00+00:00")
    future = await _deploy(client, item, emea, deployedAt="2999-01-01T00:00:00+00:00")

    assert corrected["hotfixDeployment"]["deployedAt"] == "2026-03-01T08:30:00+00:00"
    assert future["userErrors"] == [
        {"field": ["deployedAt"], "code": "INVALID", "message": "deployedAt is in the future"}
    ]


async def test_the_back_merge_is_stamped_on_the_hot_fix(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    item, _, _ = await _hotfix(session)
    feature = await create_item(
        session, team_id=(await create_team(session)).id, status=BacklogItemStatus.DONE
    )

    merged = await data(
        client,
        BACK_MERGE,
        {"input": {"itemId": _id(item), "version": 1, "backMergedAt": "2026-03-02T12:00:00Z"}},
    )
    refused = await data(client, BACK_MERGE, {"input": {"itemId": _id(feature)}})

    assert merged["recordBackMerge"] == {
        "backlogItem": {"backMergedAt": "2026-03-02T12:00:00+00:00", "version": 2},
        "userErrors": [],
    }
    assert refused["recordBackMerge"]["userErrors"] == [
        {"field": ["itemId"], "code": "INVALID", "message": "a FEATURE item is not a hot fix"}
    ]
