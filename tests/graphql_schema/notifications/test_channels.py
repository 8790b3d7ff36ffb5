"""Notification channels over GraphQL: created with their secret shown once, seen by their
owners (and ADMIN), refused on their fields with nothing stored, every change audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from graphql_schema.node import global_id
from identity.audit import AuditEvent, AuditOutcome
from notifications.models import NotificationChannel
from tests.builders.catalog import create_service
from tests.builders.identity import create_person, create_team
from tests.conftest import StatementCounter
from tests.graphql_schema.desk import Desk, desk_client, desk_settings
from tests.graphql_schema.schema_walk import SCHEMA
from tests.identity.idp import TestIssuer
from tests.notifications.channel_builders import create_channel

CREATE = """
mutation Create($input: CreateNotificationChannelInput!) {
  createNotificationChannel(input: $input) {
    notificationChannel {
      kind name target events serviceIds minSeverity active disabledReason version
      ownerTeam { name } ownerPerson { displayName }
    }
    secret
    userErrors { field message code }
  }
}
"""
ROTATE = """
mutation Rotate($input: NotificationChannelInput!) {
  rotateNotificationSecret(input: $input) {
    notificationChannel { name version } secret userErrors { code }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateNotificationChannelInput!) {
  updateNotificationChannel(input: $input) {
    notificationChannel { name events minSeverity active version } userErrors { field code }
  }
}
"""
DELETE = """
mutation Delete($input: DeleteInput!) {
  deleteNotificationChannel(input: $input) { deletedId userErrors { code } }
}
"""
CHANNELS = """
query Channels($filter: NotificationChannelFilter) {
  notificationChannels(first: 20, filter: $filter) { edges { node { name } } }
}
"""
NODE = """
query Node($id: ID!) { node(id: $id) { ... on NotificationChannel { name target } } }
"""


def _webhook(**overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "kind": "WEBHOOK",
            "name": "On-call hook",
            "target": "https://hooks.example.test/catalog",
            "events": ["SLA_BREACHED", "CLOCK_BREACHED"],
            **overrides,
        }
    }


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(NotificationChannel)) or 0)


async def test_a_person_creates_their_own_channel_and_sees_the_secret_once(
    desk: Desk, session: AsyncSession
) -> None:
    caller = await desk.person(session, "contributors")
    assert caller.person is not None

    body = await caller.gql(CREATE, _webhook(minSeverity="SEV2"))

    created = body["data"]["createNotificationChannel"]
    secret = created.pop("secret")
    assert secret.startswith("whsec_")
    assert body == {
        "data": {
            "createNotificationChannel": {
                "notificationChannel": {
                    "kind": "WEBHOOK",
                    "name": "On-call hook",
                    "target": "https://hooks.example.test/catalog",
                    "events": ["SLA_BREACHED", "CLOCK_BREACHED"],
                    "serviceIds": [],
                    "minSeverity": "SEV2",
                    "active": True,
                    "disabledReason": None,
                    "version": 1,
                    "ownerTeam": None,
                    "ownerPerson": {"displayName": caller.person.display_name},
                },
                "userErrors": [],
            }
        }
    }
    channel_type = SCHEMA.get_type("NotificationChannel")
    assert channel_type is not None
    assert "secret" not in channel_type.fields  # type: ignore[attr-defined]


async def test_a_team_member_creates_the_teams_channel_scoped_to_a_service(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session, name="Payments")
    service = await create_service(session, owner_team_id=team.id)
    member = await desk.person(session, teams=[team.id])
    service_id = global_id("Service", service.id)

    body = await member.gql(
        CREATE,
        _webhook(
            kind="EMAIL",
            target="payments@example.com",
            ownerTeamId=global_id("Team", team.id),
            serviceIds=[service_id],
        ),
    )

    channel = body["data"]["createNotificationChannel"]["notificationChannel"]
    assert body["data"]["createNotificationChannel"]["userErrors"] == []
    assert (channel["ownerTeam"], channel["ownerPerson"]) == ({"name": "Payments"}, None)
    assert channel["serviceIds"] == [service_id]


async def test_a_non_member_can_neither_create_nor_see_a_teams_channel(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    channel = await create_channel(session, owner_team_id=team.id, name="Team hook")
    outsider = await desk.person(session, "contributors")

    created = await outsider.gql(CREATE, _webhook(ownerTeamId=global_id("Team", team.id)))
    listed = await outsider.data(CHANNELS)
    fetched = await outsider.data(NODE, {"id": global_id("NotificationChannel", channel.id)})

    assert created["data"] is None
    assert [error["extensions"]["code"] for error in created["errors"]] == ["FORBIDDEN"]
    assert await _count(session) == 1
    assert listed == {"notificationChannels": {"edges": []}}
    assert fetched == {"node": None}


async def test_members_see_their_teams_channels_and_admin_sees_all(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    await create_channel(session, owner_team_id=team.id, name="A team hook")
    member = await desk.person(session, teams=[team.id])
    assert member.person is not None
    await create_channel(session, owner_person_id=member.person.id, name="B mine")
    other = await create_channel(session, name="C other team")
    admin = await desk.person(session, "admins")

    mine = await member.data(CHANNELS)
    everything = await admin.data(CHANNELS)
    node = await admin.data(NODE, {"id": global_id("NotificationChannel", other.id)})

    assert mine == {
        "notificationChannels": {
            "edges": [{"node": {"name": "A team hook"}}, {"node": {"name": "B mine"}}]
        }
    }
    assert [edge["node"]["name"] for edge in everything["notificationChannels"]["edges"]] == [
        "A team hook",
        "B mine",
        "C other team",
    ]
    assert node == {"node": {"name": "C other team", "target": other.target}}


async def test_bad_fields_are_refused_each_on_its_field_and_nothing_stored(
    desk: Desk, session: AsyncSession
) -> None:
    caller = await desk.person(session, "contributors")

    body = await caller.gql(
        CREATE,
        _webhook(kind="EMAIL", name="", target="ops@example.com, nobody", events=[]),
    )

    assert body == {
        "data": {
            "createNotificationChannel": {
                "notificationChannel": None,
                "secret": None,
                "userErrors": [
                    {"field": ["name"], "message": "name must not be empty", "code": "REQUIRED"},
                    {
                        "field": ["target"],
                        "message": "target 'nobody' is not an email address",
                        "code": "INVALID",
                    },
                    {
                        "field": ["events"],
                        "message": "events must name at least one event",
                        "code": "REQUIRED",
                    },
                ],
            }
        }
    }
    assert await _count(session) == 0


async def test_an_unknown_service_is_refused(desk: Desk, session: AsyncSession) -> None:
    caller = await desk.person(session, "contributors")
    team = await create_team(session)
    gone = global_id("Service", team.id)  # a Service id naming no service

    body = await caller.gql(CREATE, _webhook(serviceIds=[gone]))

    assert body["data"]["createNotificationChannel"]["userErrors"] == [
        {
            "field": ["serviceIds"],
            "message": f"serviceIds names no live service: {gone}",
            "code": "NOT_FOUND",
        }
    ]
    assert await _count(session) == 0


async def test_rotating_shows_a_new_secret_and_the_audit_never_holds_one(
    desk: Desk, session: AsyncSession
) -> None:
    caller = await desk.person(session, "contributors")
    created = await caller.data(CREATE, _webhook())
    first = created["createNotificationChannel"]["secret"]
    channel = await session.scalar(select(NotificationChannel))
    assert channel is not None

    rotated = await caller.data(
        ROTATE, {"input": {"id": global_id("NotificationChannel", channel.id)}}
    )

    payload = rotated["rotateNotificationSecret"]
    second = payload.pop("secret")
    assert second.startswith("whsec_")
    assert second != first
    assert payload == {
        "notificationChannel": {"name": "On-call hook", "version": 2},
        "userErrors": [],
    }
    events = (
        await session.scalars(
            select(AuditEvent).where(
                AuditEvent.action.in_(["createNotificationChannel", "rotateNotificationSecret"])
            )
        )
    ).all()
    assert sorted((event.action, event.outcome, event.target_type) for event in events) == [
        ("createNotificationChannel", AuditOutcome.SUCCESS, "NotificationChannel"),
        ("rotateNotificationSecret", AuditOutcome.SUCCESS, "NotificationChannel"),
    ]
    assert all(event.target_id == str(channel.id) for event in events)
    assert not any("whsec_" in repr(event.details) for event in events)


async def test_an_update_changes_what_was_given_and_a_delete_removes_the_channel(
    desk: Desk, session: AsyncSession
) -> None:
    caller = await desk.person(session, "contributors")
    assert caller.person is not None
    channel = await create_channel(session, owner_person_id=caller.person.id, name="Old")
    channel_id = global_id("NotificationChannel", channel.id)

    updated = await caller.data(
        UPDATE,
        {
            "input": {
                "id": channel_id,
                "version": 1,
                "events": ["INCIDENT_OPENED"],
                "minSeverity": "SEV1",
                "active": False,
            }
        },
    )
    stale = await caller.data(UPDATE, {"input": {"id": channel_id, "version": 1, "name": "X"}})
    deleted = await caller.data(DELETE, {"input": {"id": channel_id, "version": 2}})

    assert updated == {
        "updateNotificationChannel": {
            "notificationChannel": {
                "name": "Old",
                "events": ["INCIDENT_OPENED"],
                "minSeverity": "SEV1",
                "active": False,
                "version": 2,
            },
            "userErrors": [],
        }
    }
    assert stale == {
        "updateNotificationChannel": {
            "notificationChannel": None,
            "userErrors": [{"field": ["version"], "code": "CONFLICT"}],
        }
    }
    assert deleted == {"deleteNotificationChannel": {"deletedId": channel_id, "userErrors": []}}
    assert await _count(session) == 0


PAGE = """
{
  notificationChannels(first: 20) {
    nodes { name ownerTeam { name } ownerPerson { displayName } }
  }
}
"""


async def test_a_page_of_channels_costs_the_same_statements_for_two_or_twenty(
    desk: Desk, session: AsyncSession, count_statements: StatementCounter
) -> None:
    admin = await desk.person(session, "admins")

    async def add(how_many: int) -> None:
        for number in range(how_many):
            if number % 2:
                await create_channel(session, owner_team_id=(await create_team(session)).id)
            else:
                await create_channel(session, owner_person_id=(await create_person(session)).id)

    await add(2)
    await admin.data(PAGE)  # the first request also signs the caller in
    count_statements.reset()
    await admin.data(PAGE)
    few = count_statements.count
    await add(18)
    count_statements.reset()
    body = await admin.data(PAGE)

    assert len(body["notificationChannels"]["nodes"]) == 20
    assert count_statements.count == few


async def test_a_private_url_is_refused_where_the_settings_forbid_it(
    issuer: TestIssuer,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
) -> None:
    settings = desk_settings(issuer, webhook_allow_private=False)
    async with desk_client(issuer, engine, sessionmaker, settings) as strict:
        caller = await strict.person(session, "contributors")

        body = await caller.data(CREATE, _webhook(target="http://192.168.1.20/hook"))

    assert body == {
        "createNotificationChannel": {
            "notificationChannel": None,
            "secret": None,
            "userErrors": [
                {
                    "field": ["target"],
                    "message": "target must not point at a private or local address (192.168.1.20)",
                    "code": "INVALID",
                }
            ],
        }
    }
    assert await _count(session) == 0
