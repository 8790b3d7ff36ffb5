"""The channel actions: who may keep which channel, what a channel may say, the secret shown
once, the test ping and sending a delivery again."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import AccessDenied, DomainError, DomainErrors, ErrorCode
from core.ids import encode_global_id
from identity.principal import Principal, Role
from notifications import actions, repository
from notifications.models import (
    ChannelKind,
    Delivery,
    DeliveryStatus,
    NotificationChannel,
    NotificationEvent,
)
from notifications.permissions import visible_channels
from notifications.targets import UrlRules
from tests.builders.catalog import create_service
from tests.builders.identity import create_person, create_team
from tests.notifications.channel_builders import create_channel, create_delivery

DEV = UrlRules(require_https=False, allow_private=True)
PROD = UrlRules(require_https=True, allow_private=False)
# A public address written as one: the check resolves no name (the tests have no DNS).
PUBLIC_URL = "https://93.184.215.14/hooks/catalog"
ADMIN = Principal(
    subject="admin", issuer="https://idp.example.test", granted_roles=frozenset({Role.ADMIN})
)


def _person(person_id: uuid.UUID, *teams: uuid.UUID) -> Principal:
    return Principal(
        subject=f"s-{person_id}",
        issuer="https://idp.example.test",
        granted_roles=frozenset({Role.TEAM_MEMBER}),
        person_id=person_id,
        team_ids=frozenset(teams),
    )


async def _create(
    session: AsyncSession,
    principal: Principal,
    *,
    rules: UrlRules = DEV,
    kind: ChannelKind = ChannelKind.WEBHOOK,
    owner_team_id: uuid.UUID | None = None,
    owner_person_id: uuid.UUID | None = None,
    **fields: object,
) -> actions.ChannelWithSecret:
    """A channel as the caller asks for it: an SLA-breach webhook unless told otherwise."""
    return await actions.create_channel(
        session,
        principal=principal,
        url_rules=rules,
        kind=kind,
        fields={
            "name": "On-call hook",
            "target": PUBLIC_URL,
            "events": [NotificationEvent.SLA_BREACHED],
            "service_ids": [],
            **fields,
        },
        owner_team_id=owner_team_id,
        owner_person_id=owner_person_id,
    )


async def _update(
    session: AsyncSession,
    principal: Principal,
    channel: NotificationChannel,
    *,
    version: int | None = None,
    **changes: object,
) -> NotificationChannel:
    return await actions.update_channel(
        session,
        principal=principal,
        url_rules=DEV,
        channel_id=channel.id,
        version=channel.version if version is None else version,
        changes=changes,
    )


async def _channels(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(NotificationChannel)) or 0)


def _refusals(
    caught: pytest.ExceptionInfo[DomainErrors],
) -> list[tuple[list[str] | None, ErrorCode]]:
    return [(error.field, error.code) for error in caught.value.errors]


async def test_a_person_owns_the_channel_they_create_and_gets_its_secret(
    session: AsyncSession,
) -> None:
    person = await create_person(session)

    created = await _create(session, _person(person.id), rules=PROD)

    assert created.secret.startswith("whsec_")
    assert created.channel.secret == created.secret
    assert created.channel.owner_person_id == person.id
    assert created.channel.owner_team_id is None
    assert created.channel.events == ["SLA_BREACHED"]


async def test_a_team_member_creates_a_channel_for_the_team(session: AsyncSession) -> None:
    team = await create_team(session)
    person = await create_person(session)

    created = await _create(
        session,
        _person(person.id, team.id),
        kind=ChannelKind.EMAIL,
        target=" ops@example.com,oncall@example.com ",
        owner_team_id=team.id,
    )

    assert created.channel.owner_team_id == team.id
    assert created.channel.owner_person_id is None
    assert created.channel.target == "ops@example.com, oncall@example.com"


async def test_a_non_member_cannot_create_a_teams_channel(session: AsyncSession) -> None:
    team = await create_team(session)
    outsider = await create_person(session)

    with pytest.raises(AccessDenied):
        await _create(session, _person(outsider.id), owner_team_id=team.id)

    assert await _channels(session) == 0


async def test_a_person_cannot_create_a_channel_for_someone_else(session: AsyncSession) -> None:
    caller, other = await create_person(session), await create_person(session)

    with pytest.raises(AccessDenied):
        await _create(session, _person(caller.id), owner_person_id=other.id)


async def test_a_caller_who_is_no_person_must_name_the_owner(session: AsyncSession) -> None:
    with pytest.raises(DomainError) as caught:
        await _create(session, ADMIN)

    assert (caught.value.field, caught.value.code) == (["ownerTeamId"], ErrorCode.REQUIRED)


@pytest.mark.parametrize(
    ("rules", "target", "message"),
    [
        (PROD, "http://93.184.215.14/hook", "target must be an https:// URL"),
        (PROD, "https://127.0.0.1/hook", "target must not point at a private or local address"),
        (PROD, "https://10.1.2.3:8443/hook", "target must not point at a private or local"),
        (PROD, "https://169.254.169.254/latest", "target must not point at a private or local"),
        (PROD, "https://localhost/hook", "target must not point at a private or local address"),
        (DEV, "ftp://93.184.215.14/hook", "target must be an http(s):// URL"),
    ],
)
async def test_a_url_the_settings_forbid_is_refused_and_nothing_stored(
    session: AsyncSession, rules: UrlRules, target: str, message: str
) -> None:
    person = await create_person(session)

    with pytest.raises(DomainErrors) as caught:
        await _create(
            session, _person(person.id), rules=rules, kind=ChannelKind.SLACK, target=target
        )

    assert _refusals(caught) == [(["target"], ErrorCode.INVALID)]
    assert caught.value.errors[0].message.startswith(message)
    assert await _channels(session) == 0


async def test_a_loopback_url_is_taken_where_private_targets_are_allowed(
    session: AsyncSession,
) -> None:
    person = await create_person(session)

    created = await _create(session, _person(person.id), target="http://127.0.0.1:9000/hook")

    assert created.channel.target == "http://127.0.0.1:9000/hook"


@pytest.mark.parametrize("target", ["", "ops@", "ops@example.com, not an address", "a@b"])
async def test_bad_email_addresses_are_refused(session: AsyncSession, target: str) -> None:
    person = await create_person(session)

    with pytest.raises(DomainErrors) as caught:
        await _create(session, _person(person.id), kind=ChannelKind.EMAIL, target=target)

    assert _refusals(caught) == [(["target"], ErrorCode.INVALID)]
    assert await _channels(session) == 0


async def test_every_bad_field_is_refused_at_once(session: AsyncSession) -> None:
    person = await create_person(session)
    archived = await create_service(session, archived_at=utcnow())

    with pytest.raises(DomainErrors) as caught:
        await _create(
            session,
            _person(person.id),
            name="  ",
            events=[],
            service_ids=[uuid.uuid4(), archived.id],
        )

    assert _refusals(caught) == [
        (["name"], ErrorCode.REQUIRED),
        (["events"], ErrorCode.REQUIRED),
        (["serviceIds"], ErrorCode.NOT_FOUND),
    ]
    assert encode_global_id("Service", archived.id) in caught.value.errors[2].message
    assert await _channels(session) == 0


async def test_a_channel_cannot_subscribe_to_ping(session: AsyncSession) -> None:
    person = await create_person(session)

    with pytest.raises(DomainErrors) as caught:
        await _create(
            session,
            _person(person.id),
            events=[NotificationEvent.SLA_BREACHED, NotificationEvent.PING],
        )

    assert _refusals(caught) == [(["events"], ErrorCode.INVALID)]


async def test_a_channel_scoped_to_live_services_is_stored(session: AsyncSession) -> None:
    person = await create_person(session)
    service = await create_service(session)

    created = await _create(
        session, _person(person.id), kind=ChannelKind.TEAMS, service_ids=[service.id, service.id]
    )

    assert created.channel.service_ids == [service.id]


async def test_rotating_gives_a_new_secret(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(session, owner_person_id=person.id)
    old = channel.secret

    rotated = await actions.rotate_secret(
        session, principal=_person(person.id), channel_id=channel.id
    )

    assert rotated.secret != old
    assert rotated.secret.startswith("whsec_")
    assert rotated.channel.secret == rotated.secret


async def test_turning_a_channel_on_again_forgets_why_it_was_off(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(
        session, owner_person_id=person.id, active=False, disabled_reason="receiver answered 410"
    )

    updated = await _update(session, _person(person.id), channel, active=True, name="Renamed")

    assert (updated.active, updated.disabled_reason, updated.name) == (True, None, "Renamed")


async def test_an_update_checks_the_target_for_the_channels_kind(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(
        session, owner_person_id=person.id, kind=ChannelKind.EMAIL, target="ops@example.com"
    )

    with pytest.raises(DomainErrors) as caught:
        await _update(session, _person(person.id), channel, target=PUBLIC_URL)

    assert _refusals(caught) == [(["target"], ErrorCode.INVALID)]


async def test_a_stale_version_is_refused_with_conflict(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(session, owner_person_id=person.id)

    with pytest.raises(DomainError) as caught:
        await _update(
            session, _person(person.id), channel, version=channel.version + 1, name="Late"
        )

    assert caught.value.code is ErrorCode.CONFLICT


async def test_another_person_cannot_delete_the_channel(session: AsyncSession) -> None:
    owner, other = await create_person(session), await create_person(session)
    channel = await create_channel(session, owner_person_id=owner.id)

    with pytest.raises(AccessDenied):
        await actions.delete_channel(
            session, principal=_person(other.id), channel_id=channel.id, version=channel.version
        )

    assert await _channels(session) == 1


async def test_the_ping_goes_to_that_channel_alone(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(session, owner_person_id=person.id)
    # Another channel wanting every event gets nothing: a ping is addressed.
    every_event = [
        event.value for event in NotificationEvent if event is not NotificationEvent.PING
    ]
    await create_channel(session, events=every_event)

    delivery = await actions.ping_channel(
        session, principal=_person(person.id), channel_id=channel.id
    )

    rows = (await session.scalars(select(Delivery))).all()
    assert rows == [delivery]
    assert (delivery.channel_id, delivery.event, delivery.status) == (
        channel.id,
        NotificationEvent.PING,
        DeliveryStatus.PENDING,
    )
    assert delivery.body["type"] == "ping"
    assert delivery.body["data"] == {
        "channelId": encode_global_id("NotificationChannel", channel.id)
    }
    assert delivery.message["title"] == "Test notification from Service Catalog"


async def test_an_inactive_channel_is_not_pinged(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(session, owner_person_id=person.id, active=False)

    with pytest.raises(DomainError) as caught:
        await actions.ping_channel(session, principal=_person(person.id), channel_id=channel.id)

    assert (caught.value.field, caught.value.code) == (["id"], ErrorCode.INVALID)


async def test_a_dead_delivery_is_sent_again_keeping_its_attempts(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(session, owner_person_id=person.id)
    dead = await create_delivery(
        session,
        channel_id=channel.id,
        status=DeliveryStatus.DEAD,
        attempts=12,
        last_error="HTTP 503",
        next_attempt_at=None,
    )
    before = utcnow()

    delivery = await actions.redeliver(session, principal=_person(person.id), delivery_id=dead.id)

    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.PENDING,
        12,
        "HTTP 503",
    )
    assert delivery.next_attempt_at is not None
    assert before - timedelta(seconds=1) <= delivery.next_attempt_at <= utcnow()


async def test_a_pending_delivery_is_not_sent_again(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(session, owner_person_id=person.id)
    pending = await create_delivery(session, channel_id=channel.id)

    with pytest.raises(DomainError) as caught:
        await actions.redeliver(session, principal=_person(person.id), delivery_id=pending.id)

    assert (caught.value.field, caught.value.code) == (
        ["deliveryId"],
        ErrorCode.INVALID_TRANSITION,
    )


async def test_a_delivery_of_an_inactive_channel_is_not_sent_again(session: AsyncSession) -> None:
    person = await create_person(session)
    channel = await create_channel(session, owner_person_id=person.id, active=False)
    dead = await create_delivery(session, channel_id=channel.id, status=DeliveryStatus.DEAD)

    with pytest.raises(DomainError) as caught:
        await actions.redeliver(session, principal=_person(person.id), delivery_id=dead.id)

    assert caught.value.code is ErrorCode.INVALID
    assert "inactive" in caught.value.message
    status = await session.scalar(select(Delivery.status).where(Delivery.id == dead.id))
    assert status is DeliveryStatus.DEAD


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({Role.TEAM_MEMBER}, ["mine", "my team's"]),
        ({Role.AUDITOR}, ["mine", "my team's", "someone else's"]),
        ({Role.ADMIN}, ["mine", "my team's", "someone else's"]),
    ],
)
async def test_a_caller_sees_their_own_and_their_teams_channels_auditors_and_admins_all(
    session: AsyncSession, roles: set[Role], expected: list[str]
) -> None:
    person, team = await create_person(session), await create_team(session)
    await create_channel(session, owner_person_id=person.id, name="mine")
    await create_channel(session, owner_team_id=team.id, name="my team's")
    await create_channel(session, name="someone else's")
    caller = Principal(
        subject="caller",
        issuer="https://idp.example.test",
        granted_roles=frozenset(roles),
        person_id=person.id,
        team_ids=frozenset({team.id}),
    )

    statement = repository.channels_query(visible_channels(caller))
    seen = (await session.scalars(statement.order_by(NotificationChannel.name))).all()

    assert [channel.name for channel in seen] == expected
