"""Backlog items over GraphQL: creation defaults, the status table, design review, sprints."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_item, create_sprint
from tests.graphql import data
from work.backlog.models import BacklogItemStatus, BacklogItemType

CREATE = """
mutation($input: CreateBacklogItemInput!) {
  createBacklogItem(input: $input) {
    backlogItem { title type status needsDesignReview estimate team { slug } service { slug } }
    userErrors { field code message }
  }
}
"""
TRANSITION = """
mutation($input: TransitionBacklogItemInput!) {
  transitionBacklogItem(input: $input) {
    backlogItem { status version nextStatuses }
    userErrors { field code message }
  }
}
"""
UPDATE = """
mutation($input: UpdateBacklogItemInput!) {
  updateBacklogItem(input: $input) {
    backlogItem { title type estimate needsDesignReview version }
    userErrors { field code message }
  }
}
"""
REVIEW = """
mutation($input: RecordDesignReviewInput!) {
  recordDesignReview(input: $input) {
    designReview { outcome notes reviewer { displayName } item { status } }
    userErrors { field code message }
  }
}
"""
CREATE_SPRINT = """
mutation($input: CreateSprintInput!) {
  createSprint(input: $input) {
    sprint { id name startsOn endsOn goal team { slug } velocity items { title } }
    userErrors { field code message }
  }
}
"""
ADD_TO_SPRINT = """
mutation($input: SprintItemsInput!) {
  addToSprint(input: $input) {
    sprint { velocity items { title status } }
    userErrors { field code message }
  }
}
"""
REMOVE_FROM_SPRINT = """
mutation($input: SprintItemsInput!) {
  removeFromSprint(input: $input) {
    sprint { items { title } }
    userErrors { field code message }
  }
}
"""
HISTORY = """
query($id: ID!) {
  node(id: $id) {
    ... on BacklogItem { version history { nodes { version action changes { field from to } } } }
  }
}
"""


def _id(record: Any) -> str:
    return global_id(type(record).__name__, record.id)


async def _transition(
    client: httpx.AsyncClient, item: Any, to: str, version: int | None = None
) -> dict[str, Any]:
    given: dict[str, Any] = {"id": _id(item), "to": to}
    if version is not None:
        given["version"] = version
    payload: dict[str, Any] = (await data(client, TRANSITION, {"input": given}))[
        "transitionBacklogItem"
    ]
    return payload


async def test_a_feature_needs_design_review_by_default_and_joins_the_service_team(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="crm-team")
    service = await create_service(session, slug="crm", owner_team_id=team.id)

    result = await data(
        client,
        CREATE,
        {"input": {"title": "Bulk edit", "serviceId": _id(service), "estimate": 5}},
    )

    assert result["createBacklogItem"] == {
        "backlogItem": {
            "title": "Bulk edit",
            "type": "FEATURE",
            "status": "NEW",
            "needsDesignReview": True,
            "estimate": 5,
            "team": {"slug": "crm-team"},
            "service": {"slug": "crm"},
        },
        "userErrors": [],
    }


async def test_a_hot_fix_skips_design_review_and_may_not_ask_for_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="crm")
    given = {"title": "Fix login", "type": "HOTFIX", "serviceId": _id(service)}

    created = await data(client, CREATE, {"input": given})
    refused = await data(client, CREATE, {"input": {**given, "needsDesignReview": True}})

    assert created["createBacklogItem"]["backlogItem"]["needsDesignReview"] is False
    assert refused["createBacklogItem"] == {
        "backlogItem": None,
        "userErrors": [
            {
                "field": ["needsDesignReview"],
                "code": "INVALID",
                "message": "a HOTFIX item skips design review",
            }
        ],
    }


async def test_a_defect_needs_a_service(client: httpx.AsyncClient, session: AsyncSession) -> None:
    team = await create_team(session)

    result = await data(
        client, CREATE, {"input": {"title": "Broken", "type": "DEFECT", "teamId": _id(team)}}
    )

    assert result["createBacklogItem"] == {
        "backlogItem": None,
        "userErrors": [
            {"field": ["serviceId"], "code": "REQUIRED", "message": "a DEFECT item needs a service"}
        ],
    }


async def test_an_item_without_a_service_goes_on_the_team_named(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="platform")

    result = await data(
        client, CREATE, {"input": {"title": "Upgrade", "type": "TECH_DEBT", "teamId": _id(team)}}
    )

    item = result["createBacklogItem"]["backlogItem"]
    assert (item["team"], item["service"], item["needsDesignReview"]) == (
        {"slug": "platform"},
        None,
        False,
    )


async def test_a_refused_move_names_the_allowed_next_states(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    item = await create_item(session, team_id=team.id)

    refused = await _transition(client, item, "DONE")
    to_sprint = await _transition(client, item, "IN_SPRINT")

    assert refused == {
        "backlogItem": None,
        "userErrors": [
            {
                "field": ["to"],
                "code": "INVALID_TRANSITION",
                "message": "a NEW FEATURE item cannot become DONE; allowed next: READY, DECLINED",
            }
        ],
    }
    assert to_sprint["userErrors"][0]["message"] == (
        "a NEW FEATURE item cannot become IN_SPRINT; allowed next: READY, DECLINED"
    )


async def test_moves_made_by_other_mutations_are_named(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    item = await create_item(session, team_id=team.id, status=BacklogItemStatus.READY)

    refused = await _transition(client, item, "IN_SPRINT")

    assert refused["userErrors"] == [
        {
            "field": ["to"],
            "code": "INVALID_TRANSITION",
            "message": "a READY FEATURE item cannot become IN_SPRINT except by addToSprint;"
            " allowed next: IN_SPRINT, DECLINED",
        }
    ]


async def test_a_hot_fix_goes_from_ready_straight_to_done(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    item = await create_item(
        session,
        team_id=service.owner_team_id,
        service_id=service.id,
        type=BacklogItemType.HOTFIX,
        status=BacklogItemStatus.READY,
    )

    done = await _transition(client, item, "DONE", version=1)

    assert done == {
        "backlogItem": {"status": "DONE", "version": 2, "nextStatuses": ["RELEASED"]},
        "userErrors": [],
    }


async def test_a_stale_version_is_refused_with_conflict(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    item = await create_item(session, team_id=team.id)

    refused = await _transition(client, item, "READY", version=7)

    assert refused["userErrors"][0]["code"] == "CONFLICT"


async def test_a_reviewed_item_is_done_only_after_an_approval(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    sprint = await create_sprint(session, team_id=team.id)
    item = await create_item(
        session,
        team_id=team.id,
        status=BacklogItemStatus.IN_SPRINT,
        sprint_id=sprint.id,
        needs_design_review=True,
    )

    unreviewed = await _transition(client, item, "DONE")
    await _transition(client, item, "IN_DESIGN_REVIEW")
    changes = await data(
        client,
        REVIEW,
        {"input": {"itemId": _id(item), "outcome": "CHANGES_REQUESTED", "notes": "Split it."}},
    )
    still_refused = await _transition(client, item, "DONE")
    approved = await data(client, REVIEW, {"input": {"itemId": _id(item), "outcome": "APPROVED"}})
    done = await _transition(client, item, "DONE")

    assert unreviewed["userErrors"] == [
        {
            "field": ["to"],
            "code": "DESIGN_REVIEW_REQUIRED",
            "message": "the item needs an approved design review before it is DONE"
            " (latest review: none)",
        }
    ]
    assert changes["recordDesignReview"] == {
        "designReview": {
            "outcome": "CHANGES_REQUESTED",
            "notes": "Split it.",
            "reviewer": {"displayName": "Development user"},
            "item": {"status": "IN_DESIGN_REVIEW"},
        },
        "userErrors": [],
    }
    assert still_refused["userErrors"][0]["code"] == "DESIGN_REVIEW_REQUIRED"
    assert "latest review: CHANGES_REQUESTED" in still_refused["userErrors"][0]["message"]
    assert approved["recordDesignReview"]["userErrors"] == []
    assert done["backlogItem"]["status"] == "DONE"


async def test_only_items_in_review_are_reviewed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    item = await create_item(session, team_id=team.id)

    refused = await data(client, REVIEW, {"input": {"itemId": _id(item), "outcome": "APPROVED"}})

    assert refused["recordDesignReview"] == {
        "designReview": None,
        "userErrors": [
            {
                "field": ["itemId"],
                "code": "INVALID",
                "message": "only items IN_DESIGN_REVIEW are reviewed; this one is NEW",
            }
        ],
    }


async def test_the_type_changes_only_early_and_resets_the_review_default(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    item = await create_item(
        session, team_id=service.owner_team_id, service_id=service.id, needs_design_review=True
    )
    started = await create_item(
        session, team_id=service.owner_team_id, status=BacklogItemStatus.IN_SPRINT
    )

    changed = await data(
        client, UPDATE, {"input": {"id": _id(item), "type": "VULNERABILITY", "estimate": 2}}
    )
    refused = await data(client, UPDATE, {"input": {"id": _id(started), "type": "DEFECT"}})

    assert changed["updateBacklogItem"] == {
        "backlogItem": {
            "title": item.title,
            "type": "VULNERABILITY",
            "estimate": 2,
            "needsDesignReview": False,
            "version": 2,
        },
        "userErrors": [],
    }
    assert refused["updateBacklogItem"]["userErrors"] == [
        {
            "field": ["type"],
            "code": "INVALID",
            "message": "the type changes only while the item is NEW or READY",
        }
    ]


async def test_a_sprint_takes_ready_items_and_counts_finished_estimates(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session, slug="crm-team")
    ready = [
        await create_item(
            session, team_id=team.id, status=BacklogItemStatus.READY, estimate=estimate
        )
        for estimate in (3, 5)
    ]
    created = await data(
        client,
        CREATE_SPRINT,
        {
            "input": {
                "teamId": _id(team),
                "name": "Sprint 1",
                "startsOn": "2026-03-02",
                "endsOn": "2026-03-13",
                "goal": "Bulk edit",
            }
        },
    )
    sprint = created["createSprint"]["sprint"]

    added = await data(
        client,
        ADD_TO_SPRINT,
        {"input": {"sprintId": sprint["id"], "itemIds": [_id(item) for item in ready]}},
    )
    await _transition(client, ready[0], "DONE")
    finished = await data(
        client, "query($id: ID!) { node(id: $id) { ... on Sprint { velocity } } }", sprint
    )

    assert sprint == {
        "id": sprint["id"],
        "name": "Sprint 1",
        "startsOn": "2026-03-02",
        "endsOn": "2026-03-13",
        "goal": "Bulk edit",
        "team": {"slug": "crm-team"},
        "velocity": 0,
        "items": [],
    }
    assert added["addToSprint"] == {
        "sprint": {
            "velocity": 0,
            "items": [
                {"title": ready[0].title, "status": "IN_SPRINT"},
                {"title": ready[1].title, "status": "IN_SPRINT"},
            ],
        },
        "userErrors": [],
    }
    assert finished["node"] == {"velocity": 3}


async def test_an_updated_item_in_a_sprint_shows_the_sprint_and_its_velocity(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Found by fuzzing: the payload's selection comes back to the item (its sprint's items),
    which the reload loaded again without its sprint."""
    team = await create_team(session, slug="crm-team")
    sprint = await create_sprint(session, team_id=team.id, name="Sprint 7")
    item = await create_item(
        session, team_id=team.id, status=BacklogItemStatus.IN_SPRINT, sprint_id=sprint.id
    )
    update = """
    mutation($input: UpdateBacklogItemInput!) {
      updateBacklogItem(input: $input) {
        backlogItem { estimate sprint { name velocity items { estimate } } }
        userErrors { field code message }
      }
    }
    """

    result = await data(client, update, {"input": {"id": _id(item), "estimate": 8}})

    assert result["updateBacklogItem"] == {
        "backlogItem": {
            "estimate": 8,
            "sprint": {"name": "Sprint 7", "velocity": 0, "items": [{"estimate": 8}]},
        },
        "userErrors": [],
    }


async def test_a_sprint_refuses_hot_fixes_new_items_and_other_teams_work(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session)
    team_id = service.owner_team_id
    sprint = await create_sprint(session, team_id=team_id)
    hotfix = await create_item(
        session,
        team_id=team_id,
        service_id=service.id,
        type=BacklogItemType.HOTFIX,
        status=BacklogItemStatus.READY,
        title="Fix",
    )
    fresh = await create_item(session, team_id=team_id, title="Fresh")
    foreign = await create_item(session, team_id=(await create_team(session)).id, title="Foreign")

    async def add(item: Any) -> list[dict[str, Any]]:
        result = await data(
            client, ADD_TO_SPRINT, {"input": {"sprintId": _id(sprint), "itemIds": [_id(item)]}}
        )
        errors: list[dict[str, Any]] = result["addToSprint"]["userErrors"]
        return errors

    assert await add(hotfix) == [
        {
            "field": ["to"],
            "code": "INVALID_TRANSITION",
            "message": "'Fix' (READY HOTFIX) cannot become IN_SPRINT; allowed next: DONE, DECLINED",
        }
    ]
    assert await add(fresh) == [
        {
            "field": ["to"],
            "code": "INVALID_TRANSITION",
            "message": "'Fresh' (NEW FEATURE) cannot become IN_SPRINT;"
            " allowed next: READY, DECLINED",
        }
    ]
    assert await add(foreign) == [
        {
            "field": ["itemIds"],
            "code": "INVALID",
            "message": "'Foreign' is on another team's backlog",
        }
    ]


async def test_removing_from_a_sprint_makes_an_item_ready_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    sprint = await create_sprint(session, team_id=team.id)
    item = await create_item(
        session, team_id=team.id, status=BacklogItemStatus.IN_SPRINT, sprint_id=sprint.id
    )

    removed = await data(
        client, REMOVE_FROM_SPRINT, {"input": {"sprintId": _id(sprint), "itemIds": [_id(item)]}}
    )
    after = await data(
        client,
        "query($id: ID!) { node(id: $id) { ... on BacklogItem { status sprint { id } } } }",
        {"id": _id(item)},
    )

    assert removed["removeFromSprint"] == {"sprint": {"items": []}, "userErrors": []}
    assert after["node"] == {"status": "READY", "sprint": None}


async def test_a_duplicate_sprint_name_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    await create_sprint(session, team_id=team.id, name="Sprint 9")

    result = await data(
        client,
        CREATE_SPRINT,
        {
            "input": {
                "teamId": _id(team),
                "name": "Sprint 9",
                "startsOn": "2026-03-02",
                "endsOn": "2026-03-13",
            }
        },
    )

    assert result["createSprint"] == {
        "sprint": None,
        "userErrors": [
            {
                "field": ["name"],
                "code": "DUPLICATE",
                "message": "the team already has a sprint of this name",
            }
        ],
    }


async def test_every_change_to_an_item_is_kept_in_its_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await create_team(session)
    created = await data(client, CREATE, {"input": {"title": "Bulk edit", "teamId": _id(team)}})
    assert created["createBacklogItem"]["userErrors"] == []
    listed = await data(
        client,
        "query($team: ID!) { backlogItems(filter: {teamId: $team}) { nodes { id } } }",
        {"team": _id(team)},
    )
    item_id = listed["backlogItems"]["nodes"][0]["id"]
    await data(client, TRANSITION, {"input": {"id": item_id, "to": "READY"}})

    history = await data(client, HISTORY, {"id": item_id})

    node = history["node"]
    assert node["version"] == 2
    versions = node["history"]["nodes"]
    assert [(version["version"], version["action"]) for version in versions] == [
        (2, "UPDATE"),
        (1, "CREATE"),
    ]
    assert versions[0]["changes"] == [{"field": "status", "from": "NEW", "to": "READY"}]
