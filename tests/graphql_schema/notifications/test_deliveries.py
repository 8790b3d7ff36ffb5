"""Deliveries over GraphQL: newest first, filtered by channel and status, visible to the
channel's owners; the test ping and sending again; statements that do not grow with the
page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_schema.node import global_id
from notifications.models import Delivery, DeliveryStatus, NotificationEvent
from tests.builders.identity import create_team
from tests.conftest import StatementCounter
from tests.graphql_schema.desk import Desk
from tests.notifications.channel_builders import create_channel, create_delivery

DELIVERIES = """
query Deliveries($filter: DeliveryFilter) {
  deliveries(first: 20, filter: $filter) {
    nodes { event status attempts lastError channel { name ownerTeam { name } } }
  }
}
"""
TEST_PING = """
mutation Ping($input: NotificationChannelInput!) {
  testNotificationChannel(input: $input) {
    delivery { event status attempts channel { name } } userErrors { field code }
  }
}
"""
REDELIVER = """
mutation Again($input: RedeliverInput!) {
  redeliver(input: $input) { delivery { status attempts lastError } userErrors { field code } }
}
"""
RECIPIENT = """
query Node($id: ID!) { node(id: $id) { ... on Delivery { event recipient channel { name } } } }
"""
START = datetime(2026, 12, 1, tzinfo=UTC)


async def test_deliveries_are_newest_first_and_filtered_by_channel_and_status(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session, name="Ops")
    member = await desk.person(session, teams=[team.id])
    hook = await create_channel(session, owner_team_id=team.id, name="Hook")
    mail = await create_channel(session, owner_team_id=team.id, name="Mail")
    for minutes, channel, status in [
        (1, hook, DeliveryStatus.DELIVERED),
        (2, hook, DeliveryStatus.DEAD),
        (3, mail, DeliveryStatus.DEAD),
        (4, hook, DeliveryStatus.DEAD),
    ]:
        await create_delivery(
            session,
            channel_id=channel.id,
            status=status,
            attempts=minutes,
            created_at=START + timedelta(minutes=minutes),
        )
    await create_delivery(session, status=DeliveryStatus.DEAD)  # another team's channel
    hook_id = global_id("NotificationChannel", hook.id)

    everything = await member.data(DELIVERIES)
    dead_hook = await member.data(DELIVERIES, {"filter": {"channelId": hook_id, "status": "DEAD"}})

    assert [
        (node["attempts"], node["channel"]["name"]) for node in everything["deliveries"]["nodes"]
    ] == [
        (4, "Hook"),
        (3, "Mail"),
        (2, "Hook"),
        (1, "Hook"),
    ]
    assert dead_hook == {
        "deliveries": {
            "nodes": [
                {
                    "event": "SLA_BREACHED",
                    "status": "DEAD",
                    "attempts": attempts,
                    "lastError": None,
                    "channel": {"name": "Hook", "ownerTeam": {"name": "Ops"}},
                }
                for attempts in (4, 2)
            ]
        }
    }


async def test_a_test_ping_queues_one_delivery_to_that_channel(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    member = await desk.person(session, teams=[team.id])
    channel = await create_channel(session, owner_team_id=team.id, name="Hook")

    body = await member.gql(
        TEST_PING, {"input": {"id": global_id("NotificationChannel", channel.id)}}
    )

    assert body == {
        "data": {
            "testNotificationChannel": {
                "delivery": {
                    "event": "PING",
                    "status": "PENDING",
                    "attempts": 0,
                    "channel": {"name": "Hook"},
                },
                "userErrors": [],
            }
        }
    }
    rows = (await session.scalars(select(Delivery))).all()
    assert [(row.channel_id, row.event) for row in rows] == [(channel.id, NotificationEvent.PING)]


async def test_a_dead_delivery_is_sent_again_and_a_pending_one_is_not(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session)
    member = await desk.person(session, teams=[team.id])
    channel = await create_channel(session, owner_team_id=team.id)
    dead = await create_delivery(
        session,
        channel_id=channel.id,
        status=DeliveryStatus.DEAD,
        attempts=9,
        last_error="HTTP 502",
    )
    pending = await create_delivery(session, channel_id=channel.id)

    again = await member.data(REDELIVER, {"input": {"deliveryId": global_id("Delivery", dead.id)}})
    refused = await member.data(
        REDELIVER, {"input": {"deliveryId": global_id("Delivery", pending.id)}}
    )

    assert again == {
        "redeliver": {
            "delivery": {"status": "PENDING", "attempts": 9, "lastError": "HTTP 502"},
            "userErrors": [],
        }
    }
    assert refused == {
        "redeliver": {
            "delivery": None,
            "userErrors": [{"field": ["deliveryId"], "code": "INVALID_TRANSITION"}],
        }
    }


async def test_an_outsider_cannot_send_another_teams_delivery_again(
    desk: Desk, session: AsyncSession
) -> None:
    dead = await create_delivery(session, status=DeliveryStatus.DEAD)
    outsider = await desk.person(session, "contributors")

    body = await outsider.gql(REDELIVER, {"input": {"deliveryId": global_id("Delivery", dead.id)}})
    listed = await outsider.data(DELIVERIES)

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert listed == {"deliveries": {"nodes": []}}


async def test_an_emails_recipient_is_shown_to_that_person_and_admin_only(
    desk: Desk, session: AsyncSession
) -> None:
    voter = await desk.person(session, "contributors")
    admin = await desk.person(session, "admins")
    stranger = await desk.person(session, "contributors")
    assert voter.person is not None
    email = await create_delivery(
        session,
        recipient="voter@example.com",
        recipient_person_id=voter.person.id,
        event=NotificationEvent.FEEDBACK_DELIVERED,
    )
    variables = {"id": global_id("Delivery", email.id)}
    shown = {
        "node": {"event": "FEEDBACK_DELIVERED", "recipient": "voter@example.com", "channel": None}
    }

    assert await voter.data(RECIPIENT, variables) == shown
    assert await admin.data(RECIPIENT, variables) == shown
    assert await stranger.data(RECIPIENT, variables) == {"node": None}


async def test_a_page_of_deliveries_costs_the_same_statements_for_two_or_twenty(
    desk: Desk, session: AsyncSession, count_statements: StatementCounter
) -> None:
    query = DELIVERIES
    admin = await desk.person(session, "admins")

    async def add(how_many: int) -> None:
        for _ in range(how_many):
            team = await create_team(session)
            channel = await create_channel(session, owner_team_id=team.id)
            await create_delivery(session, channel_id=channel.id)

    await add(2)
    await admin.data(query)  # the first request also signs the caller in
    count_statements.reset()
    await admin.data(query)
    few = count_statements.count
    await add(18)
    count_statements.reset()
    body = await admin.data(query)

    assert len(body["deliveries"]["nodes"]) == 20
    assert count_statements.count == few
