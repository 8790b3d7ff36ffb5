"""Releases over GraphQL: ship and roll back (feedback follows), HOTFIX rules, refusals."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_item, create_release
from tests.graphql import data
from work.backlog.models import BacklogItemStatus, BacklogItemType

SUBMIT = """
mutation($input: SubmitFeedbackInput!) {
  submitFeedback(input: $input) { feedback { id } userErrors { code } }
}
"""
PROMOTE = """
mutation($input: PromoteFeedbackInput!) {
  promoteFeedback(input: $input) { feedback { backlogItem { id type } } userErrors { code } }
}
"""
FEEDBACK = "query($id: ID!) { node(id: $id) { ... on Feedback { status } } }"
TRANSITION = """
mutation($input: TransitionBacklogItemInput!) {
  transitionBacklogItem(input: $input) { backlogItem { status } userErrors { code message } }
}
"""
CREATE_SPRINT = """
mutation($input: CreateSprintInput!) { createSprint(input: $input) { sprint { id } } }
"""
ADD_TO_SPRINT = """
mutation($input: SprintItemsInput!) { addToSprint(input: $input) { userErrors { code } } }
"""
RELEASE_FIELDS = """
  release {
    name kind status version releasedAt rolledBackAt nextStatuses
    services { slug } items { status releasedAt }
  }
  userErrors { field code message }
"""
CREATE_RELEASE = (
    "mutation($input: CreateReleaseInput!) { createRelease(input: $input) {"
    + RELEASE_FIELDS
    + "} }"
)
ADD_TO_RELEASE = (
    "mutation($input: ReleaseItemsInput!) { addToRelease(input: $input) {" + RELEASE_FIELDS + "} }"
)
STEPS = {
    name: f"mutation($input: ReleaseStepInput!) {{ {name}(input: $input) {{{RELEASE_FIELDS}}} }}"
    for name in ("startRelease", "shipRelease", "rollBackRelease")
}
HISTORY = """
query($id: ID!) { node(id: $id) { ... on Release { history { nodes { version action } } } } }
"""


def _id(record: Any) -> str:
    return global_id(type(record).__name__, record.id)


async def _step(client: httpx.AsyncClient, name: str, release_id: str) -> dict[str, Any]:
    result = await data(client, STEPS[name], {"input": {"id": release_id}})
    payload: dict[str, Any] = result[name]
    return payload


async def _release(client: httpx.AsyncClient, **given: Any) -> dict[str, Any]:
    result = await data(client, CREATE_RELEASE, {"input": given})
    payload: dict[str, Any] = result["createRelease"]
    return payload


async def _release_id(client: httpx.AsyncClient, team_id: str) -> str:
    listed = await data(
        client,
        "query($team: ID!) { releases(filter: {ownerTeamId: $team}) { nodes { id } } }",
        {"team": team_id},
    )
    release_id: str = listed["releases"]["nodes"][0]["id"]
    return release_id


async def _promoted_and_done(client: httpx.AsyncClient, team_id: str) -> tuple[str, str]:
    """Feedback submitted and promoted through the API; its item built in a sprint."""
    submitted = await data(
        client,
        SUBMIT,
        {"input": {"service": "crm", "kind": "BUG", "title": "Save fails", "body": "Twice."}},
    )
    feedback_id = submitted["submitFeedback"]["feedback"]["id"]
    promoted = await data(client, PROMOTE, {"input": {"id": feedback_id, "version": 1}})
    item = promoted["promoteFeedback"]["feedback"]["backlogItem"]
    assert item["type"] == "DEFECT"
    await data(client, TRANSITION, {"input": {"id": item["id"], "to": "READY"}})
    sprint = await data(
        client,
        CREATE_SPRINT,
        {
            "input": {
                "teamId": team_id,
                "name": "Sprint 1",
                "startsOn": "2026-03-02",
                "endsOn": "2026-03-13",
            }
        },
    )
    sprint_id = sprint["createSprint"]["sprint"]["id"]
    await data(client, ADD_TO_SPRINT, {"input": {"sprintId": sprint_id, "itemIds": [item["id"]]}})
    done = await data(client, TRANSITION, {"input": {"id": item["id"], "to": "DONE"}})
    assert done["transitionBacklogItem"]["backlogItem"] == {"status": "DONE"}
    return feedback_id, item["id"]


async def test_shipping_releases_the_items_and_delivers_their_feedback(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="crm")
    team_id = global_id("Team", service.owner_team_id)
    feedback_id, item_id = await _promoted_and_done(client, team_id)

    created = await _release(client, ownerTeamId=team_id, kind="REGULAR", name="2026.3")
    release_id = await _release_id(client, team_id)
    added = await data(
        client, ADD_TO_RELEASE, {"input": {"releaseId": release_id, "itemIds": [item_id]}}
    )
    started = await _step(client, "startRelease", release_id)
    shipped = await _step(client, "shipRelease", release_id)

    assert created == {
        "release": {
            "name": "2026.3",
            "kind": "REGULAR",
            "status": "PLANNED",
            "version": 1,
            "releasedAt": None,
            "rolledBackAt": None,
            "nextStatuses": ["IN_PROGRESS"],
            "services": [],
            "items": [],
        },
        "userErrors": [],
    }
    assert added["addToRelease"]["release"]["services"] == [{"slug": "crm"}]
    assert started["release"]["status"] == "IN_PROGRESS"
    release = shipped["release"]
    assert shipped["userErrors"] == []
    assert release["status"] == "RELEASED"
    assert release["releasedAt"] is not None
    assert release["items"] == [{"status": "RELEASED", "releasedAt": release["releasedAt"]}]
    assert (await data(client, FEEDBACK, {"id": feedback_id}))["node"] == {"status": "DELIVERED"}


async def test_rolling_back_returns_items_to_done_and_feedback_to_planned(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="crm")
    team_id = global_id("Team", service.owner_team_id)
    feedback_id, item_id = await _promoted_and_done(client, team_id)
    await _release(client, ownerTeamId=team_id, kind="REGULAR", name="2026.3")
    release_id = await _release_id(client, team_id)
    await data(client, ADD_TO_RELEASE, {"input": {"releaseId": release_id, "itemIds": [item_id]}})
    await _step(client, "startRelease", release_id)
    await _step(client, "shipRelease", release_id)

    rolled_back = await _step(client, "rollBackRelease", release_id)
    history = await data(client, HISTORY, {"id": release_id})

    release = rolled_back["release"]
    assert release["status"] == "ROLLED_BACK"
    assert release["rolledBackAt"] is not None
    assert release["nextStatuses"] == []
    assert release["items"] == [{"status": "DONE", "releasedAt": None}]
    assert (await data(client, FEEDBACK, {"id": feedback_id}))["node"] == {"status": "PLANNED"}
    versions = history["node"]["history"]["nodes"]
    assert [(version["version"], version["action"]) for version in versions] == [
        (5, "UPDATE"),  # rolled back
        (4, "UPDATE"),  # shipped
        (3, "UPDATE"),  # started
        (2, "UPDATE"),  # the item's service joined
        (1, "CREATE"),
    ]


async def test_a_planned_release_cannot_ship_and_the_refusal_names_the_next_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    release = await create_release(session, owner_team_id=team.id)

    refused = await _step(client, "shipRelease", _id(release))
    again = await _step(client, "rollBackRelease", _id(release))

    assert refused == {
        "release": None,
        "userErrors": [
            {
                "field": ["id"],
                "code": "INVALID_TRANSITION",
                "message": "a PLANNED release cannot become RELEASED;"
                " allowed next: IN_PROGRESS (by startRelease)",
            }
        ],
    }
    assert again["userErrors"][0]["code"] == "INVALID_TRANSITION"


async def test_a_release_ships_only_when_every_item_is_done(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    release = await create_release(session, owner_team_id=team.id)
    await create_item(
        session,
        team_id=team.id,
        title="Half done",
        status=BacklogItemStatus.IN_SPRINT,
        release_id=release.id,
    )
    await _step(client, "startRelease", _id(release))

    refused = await _step(client, "shipRelease", _id(release))

    assert refused == {
        "release": None,
        "userErrors": [
            {
                "field": ["id"],
                "code": "INVALID",
                "message": "every item must be DONE before shipping: 'Half done' (IN_SPRINT)",
            }
        ],
    }


async def test_a_hotfix_release_takes_only_hot_fixes_and_vulnerabilities(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    team_id = service.owner_team_id
    release = await create_release(session, owner_team_id=team_id, kind="HOTFIX", name="Hotfix 1")
    feature = await create_item(session, team_id=team_id, status=BacklogItemStatus.DONE)
    fix = await create_item(
        session,
        team_id=team_id,
        service_id=service.id,
        type=BacklogItemType.VULNERABILITY,
        status=BacklogItemStatus.DONE,
    )

    refused = await data(
        client,
        ADD_TO_RELEASE,
        {"input": {"releaseId": _id(release), "itemIds": [_id(fix), _id(feature)]}},
    )
    accepted = await data(
        client, ADD_TO_RELEASE, {"input": {"releaseId": _id(release), "itemIds": [_id(fix)]}}
    )

    assert refused["addToRelease"] == {
        "release": None,
        "userErrors": [
            {
                "field": ["itemIds"],
                "code": "INVALID",
                "message": "a HOTFIX release ships only hot fixes and vulnerabilities, not FEATURE",
            }
        ],
    }
    assert accepted["addToRelease"]["release"]["items"] == [{"status": "DONE", "releasedAt": None}]


async def test_an_item_planned_elsewhere_is_refused_until_removed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    first = await create_release(session, owner_team_id=team.id, name="First")
    second = await create_release(session, owner_team_id=team.id)
    item = await create_item(session, team_id=team.id, title="Export", release_id=first.id)

    refused = await data(
        client, ADD_TO_RELEASE, {"input": {"releaseId": _id(second), "itemIds": [_id(item)]}}
    )

    assert refused["addToRelease"]["userErrors"] == [
        {
            "field": ["itemIds"],
            "code": "INVALID",
            "message": "'Export' is already planned for First; remove it there first",
        }
    ]


async def test_a_seasonal_release_is_named_after_its_season_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    given = {
        "ownerTeamId": _id(team),
        "kind": "SALESFORCE_SEASONAL",
        "season": "SPRING",
        "seasonYear": 2026,
        "sandboxPreviewOn": "2026-01-09",
        "productionOn": "2026-02-14",
    }

    created = await _release(client, **given)
    duplicate = await _release(client, **given)
    unseasoned = await _release(client, ownerTeamId=_id(team), kind="SALESFORCE_SEASONAL")

    assert created["release"]["name"] == "Spring '26"
    assert duplicate == {
        "release": None,
        "userErrors": [
            {
                "field": ["season"],
                "code": "DUPLICATE",
                "message": "this season's release already exists",
            }
        ],
    }
    assert unseasoned["userErrors"] == [
        {
            "field": ["season"],
            "code": "REQUIRED",
            "message": "a seasonal release needs its season and year",
        }
    ]
