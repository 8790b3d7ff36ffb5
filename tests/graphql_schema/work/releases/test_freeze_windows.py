"""Freeze windows over GraphQL: shipping inside one is refused with FROZEN (hot fixes ship; an
ADMIN overrides with a reason, audited); who may freeze what; bad windows change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from graphql_schema.node import global_id
from identity.audit import AuditEvent
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_release
from tests.graphql import data
from tests.graphql_schema.desk import Desk
from work.releases.models import FreezeWindow, ReleaseKind, ReleaseStatus

CREATE = """
mutation Create($input: CreateFreezeWindowInput!) {
  createFreezeWindow(input: $input) {
    freezeWindow { scope reason version createdBy service { slug } team { slug } }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateFreezeWindowInput!) {
  updateFreezeWindow(input: $input) {
    freezeWindow { reason startsAt endsAt version }
    userErrors { field code }
  }
}
"""
DELETE = """
mutation Delete($input: DeleteInput!) {
  deleteFreezeWindow(input: $input) { deletedId userErrors { field code } }
}
"""
SHIP = """
mutation Ship($input: ReleaseStepInput!) {
  shipRelease(input: $input) {
    release { status freezeOverrideReason }
    userErrors { field message code }
  }
}
"""
WINDOWS = """
query Windows($filter: FreezeWindowFilter) {
  freezeWindows(filter: $filter) { totalCount nodes { reason scope } }
}
"""


def _iso(hours: float) -> str:
    return (utcnow() + timedelta(hours=hours)).isoformat()


def _window(**given: Any) -> dict[str, Any]:
    return {"input": {"startsAt": _iso(-1), "endsAt": _iso(48), "reason": "Year-end", **given}}


async def _in_progress(session: AsyncSession, **overrides: Any) -> tuple[str, Any]:
    service = await create_service(session, slug=overrides.pop("slug", "crm"))
    release = await create_release(
        session,
        owner_team_id=service.owner_team_id,
        service_ids=(service.id,),
        status=ReleaseStatus.IN_PROGRESS,
        **overrides,
    )
    return global_id("Release", release.id), service


async def test_shipping_inside_a_freeze_is_refused_with_frozen(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release_id, _ = await _in_progress(session)
    await data(client, CREATE, _window(scope="ORGANISATION"))

    refused = await data(client, SHIP, {"input": {"id": release_id}})

    error = refused["shipRelease"]["userErrors"][0]
    assert refused["shipRelease"]["release"] is None
    assert (error["code"], error["field"]) == ("FROZEN", ["id"])
    assert "Year-end" in error["message"]
    assert "only hot fixes ship" in error["message"]


async def test_a_hot_fix_ships_inside_a_freeze(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release_id, _ = await _in_progress(session, kind=ReleaseKind.HOTFIX)
    await data(client, CREATE, _window(scope="ORGANISATION"))

    shipped = await data(client, SHIP, {"input": {"id": release_id}})

    assert shipped["shipRelease"] == {
        "release": {"status": "RELEASED", "freezeOverrideReason": None},
        "userErrors": [],
    }


async def test_an_admin_overrides_a_freeze_with_a_reason_and_it_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release_id, _ = await _in_progress(session)
    await data(client, CREATE, _window(scope="ORGANISATION"))

    shipped = await data(
        client, SHIP, {"input": {"id": release_id, "overrideFreezeReason": " Legal deadline "}}
    )
    audited = (
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "overrideFreeze"))
    ).all()

    assert shipped["shipRelease"] == {
        "release": {"status": "RELEASED", "freezeOverrideReason": "Legal deadline"},
        "userErrors": [],
    }
    assert [(event.target_type, event.details) for event in audited] == [
        ("Release", {"reason": "Legal deadline"})
    ]


async def test_a_team_member_cannot_override_a_freeze_of_their_service(
    desk: Desk, session: AsyncSession
) -> None:
    release_id, service = await _in_progress(session)
    member = await desk.person(session, teams=[service.owner_team_id])
    created = await member.data(
        CREATE, _window(scope="SERVICE", serviceId=global_id("Service", service.id))
    )

    refused = await member.data(
        SHIP, {"input": {"id": release_id, "overrideFreezeReason": "Please"}}
    )

    assert created["createFreezeWindow"]["freezeWindow"]["service"] == {"slug": "crm"}
    assert created["createFreezeWindow"]["freezeWindow"]["createdBy"] == (
        f"person:{member.person.id}" if member.person else None
    )
    error = refused["shipRelease"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("FROZEN", ["overrideFreezeReason"])
    assert "only an ADMIN may override" in error["message"]


async def test_windows_of_other_services_and_past_windows_do_not_freeze(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release_id, _ = await _in_progress(session)
    other = await create_service(session, slug="billing")
    await data(client, CREATE, _window(scope="SERVICE", serviceId=global_id("Service", other.id)))
    await data(client, CREATE, _window(scope="ORGANISATION", startsAt=_iso(-5), endsAt=_iso(-1)))
    await data(client, CREATE, _window(scope="ORGANISATION", startsAt=_iso(2), endsAt=_iso(9)))

    shipped = await data(client, SHIP, {"input": {"id": release_id}})

    assert shipped["shipRelease"]["release"] == {"status": "RELEASED", "freezeOverrideReason": None}


async def test_a_freeze_of_the_owner_team_holds_its_releases(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    release_id, service = await _in_progress(session)
    team_id = global_id("Team", service.owner_team_id)
    await data(client, CREATE, _window(scope="TEAM", teamId=team_id))

    refused = await data(client, SHIP, {"input": {"id": release_id}})

    assert refused["shipRelease"]["userErrors"][0]["code"] == "FROZEN"


async def test_bad_windows_are_refused_and_change_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await create_service(session, slug="crm")
    service_id = global_id("Service", service.id)

    backwards = await data(client, CREATE, _window(scope="ORGANISATION", endsAt=_iso(-2)))
    too_long = await data(client, CREATE, _window(scope="ORGANISATION", endsAt=_iso(24 * 800)))
    no_service = await data(client, CREATE, _window(scope="SERVICE"))
    stray_service = await data(client, CREATE, _window(scope="TEAM", serviceId=service_id))
    empty_reason = await data(client, CREATE, _window(scope="ORGANISATION", reason="  "))
    naive = await data(
        client, CREATE, _window(scope="ORGANISATION", startsAt="2027-01-01T00:00:00")
    )

    assert [
        result["createFreezeWindow"]["userErrors"]
        for result in (backwards, too_long, no_service, stray_service, empty_reason, naive)
    ] == [
        [{"field": ["endsAt"], "message": "endsAt must be after startsAt", "code": "INVALID"}],
        [
            {
                "field": ["endsAt"],
                "message": "a freeze window spans at most two years (731 days)",
                "code": "INVALID",
            }
        ],
        [
            {
                "field": ["serviceId"],
                "message": "a SERVICE freeze, and only it, names a serviceId",
                "code": "INVALID",
            }
        ],
        [
            {
                "field": ["serviceId"],
                "message": "a SERVICE freeze, and only it, names a serviceId",
                "code": "INVALID",
            }
        ],
        [{"field": ["reason"], "message": "reason must not be empty", "code": "REQUIRED"}],
        [{"field": ["startsAt"], "message": "times need a UTC offset", "code": "INVALID"}],
    ]
    assert await session.scalar(select(func.count()).select_from(FreezeWindow)) == 0


async def test_only_an_admin_freezes_the_whole_organisation(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    member = await desk.person(session, "contributors", teams=[team.id])

    refused = await member.gql(CREATE, _window(scope="ORGANISATION"))
    own_team = await member.data(CREATE, _window(scope="TEAM", teamId=global_id("Team", team.id)))

    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert own_team["createFreezeWindow"]["freezeWindow"]["scope"] == "TEAM"
    assert await session.scalar(select(func.count()).select_from(FreezeWindow)) == 1


async def test_a_window_is_moved_then_lifted_and_its_history_stays(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await data(client, CREATE, _window(scope="ORGANISATION"))
    window = await session.scalar(select(FreezeWindow))
    assert window is not None
    window_id = global_id("FreezeWindow", window.id)

    stale = await data(client, UPDATE, {"input": {"id": window_id, "version": 3, "reason": "x"}})
    moved = await data(
        client,
        UPDATE,
        {
            "input": {
                "id": window_id,
                "version": 1,
                "reason": "Spring '27 upgrade",
                "endsAt": _iso(72),
            }
        },
    )
    backwards = await data(
        client, UPDATE, {"input": {"id": window_id, "version": 2, "endsAt": _iso(-3)}}
    )
    lifted = await data(client, DELETE, {"input": {"id": window_id, "version": 2}})
    history = await data(
        client,
        "query($id: ID!) { recordHistory(id: $id) { nodes { version action } } }",
        {"id": window_id},
    )

    assert stale["updateFreezeWindow"]["userErrors"] == [{"field": ["version"], "code": "CONFLICT"}]
    assert moved["updateFreezeWindow"]["freezeWindow"]["reason"] == "Spring '27 upgrade"
    assert moved["updateFreezeWindow"]["freezeWindow"]["version"] == 2
    assert backwards["updateFreezeWindow"]["userErrors"] == [
        {"field": ["endsAt"], "code": "INVALID"}
    ]
    assert lifted["deleteFreezeWindow"] == {"deletedId": window_id, "userErrors": []}
    assert [node["action"] for node in history["recordHistory"]["nodes"]] == [
        "DELETE",
        "UPDATE",
        "CREATE",
    ]


async def test_freeze_windows_are_listed_by_time_and_what_they_hold(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    crm = await create_service(session, slug="crm")
    billing = await create_service(session, slug="billing")
    await data(client, CREATE, _window(scope="ORGANISATION", reason="Everyone"))
    await data(
        client,
        CREATE,
        _window(scope="SERVICE", serviceId=global_id("Service", crm.id), reason="CRM"),
    )
    await data(
        client,
        CREATE,
        _window(
            scope="TEAM", teamId=global_id("Team", billing.owner_team_id), reason="Billing team"
        ),
    )
    await data(
        client,
        CREATE,
        _window(scope="ORGANISATION", startsAt=_iso(24 * 30), endsAt=_iso(24 * 31), reason="Later"),
    )

    for_crm = await data(
        client,
        WINDOWS,
        {"filter": {"serviceIds": [global_id("Service", crm.id)], "to": _iso(24 * 7)}},
    )
    for_billing_team = await data(
        client, WINDOWS, {"filter": {"teamIds": [global_id("Team", billing.owner_team_id)]}}
    )
    backwards = await client.post(
        "/graphql",
        json={"query": WINDOWS, "variables": {"filter": {"from": _iso(5), "to": _iso(1)}}},
    )
    too_wide = await client.post(
        "/graphql",
        json={"query": WINDOWS, "variables": {"filter": {"from": _iso(0), "to": _iso(24 * 800)}}},
    )

    assert [node["reason"] for node in for_crm["freezeWindows"]["nodes"]] == ["Everyone", "CRM"]
    assert [node["reason"] for node in for_billing_team["freezeWindows"]["nodes"]] == [
        "Everyone",
        "Billing team",
        "Later",
    ]
    for response, message in (
        (backwards, "filter: `from` must not be after `to`"),
        (too_wide, "filter: a range spans at most two years (731 days)"),
    ):
        body = response.json()
        assert response.status_code == 200
        assert body["errors"][0]["message"] == message
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
