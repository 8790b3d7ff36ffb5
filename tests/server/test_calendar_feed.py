"""GET /calendar/releases.ics: what a calendar client sees (parsed with `icalendar`), behind a
per-person calendar token; a missing, unknown or revoked token, or a deactivated person, gets
401 and nothing listed; bad ranges and scopes are clear 4xx errors, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import utcnow
from graphql_schema.node import global_id
from identity.audit import AuditEvent, AuditOutcome
from identity.calendar_tokens.models import CalendarToken
from identity.models import Person
from tests.builders.catalog import create_service
from tests.builders.identity import create_team
from tests.builders.work import create_release
from tests.graphql_schema.desk import Caller, Desk, desk_client
from tests.identity.idp import TestIssuer
from work.releases.models import ReleaseKind, ReleaseStatus, Season

FEED = "/calendar/releases.ics"
CREATE_TOKEN = """
mutation Create($input: CreateCalendarTokenInput!) {
  createCalendarToken(input: $input) {
    token calendarToken { id name lastUsedAt revokedAt } userErrors { field code }
  }
}
"""
REVOKE_TOKEN = """
mutation Revoke($input: RevokeCalendarTokenInput!) {
  revokeCalendarToken(input: $input) { calendarToken { revokedAt } userErrors { field code } }
}
"""
TOKENS = "{ calendarTokens { name lastUsedAt revokedAt } }"
CREATE_FREEZE = """
mutation Freeze($input: CreateFreezeWindowInput!) {
  createFreezeWindow(input: $input) { freezeWindow { id } userErrors { code } }
}
"""
SHIP = """
mutation Ship($input: ReleaseStepInput!) {
  shipRelease(input: $input) { release { status } userErrors { code message } }
}
"""


@pytest.fixture
async def desk(
    issuer: TestIssuer, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Desk]:
    async with desk_client(issuer, engine, sessionmaker) as desk:
        yield desk


async def _token(caller: Caller, name: str = "Outlook") -> tuple[str, str]:
    created = await caller.data(CREATE_TOKEN, {"input": {"name": name}})
    payload = created["createCalendarToken"]
    assert payload["userErrors"] == []
    return payload["token"], payload["calendarToken"]["id"]


def _events(body: bytes) -> list[tuple[str, Any, Any]]:
    calendar = Calendar.from_ical(body)
    return [
        (str(event["SUMMARY"]), event.decoded("DTSTART"), event.decoded("DTEND"))
        for event in calendar.walk("VEVENT")
    ]


async def test_a_calendar_client_sees_next_quarters_releases_and_the_freeze_before_the_upgrade(
    desk: Desk, session: AsyncSession
) -> None:
    today = utcnow().date()
    team = await create_team(session, slug="platform", name="Platform")
    crm = await create_service(session, slug="crm", owner_team_id=team.id)
    on_crm: dict[str, Any] = {"owner_team_id": team.id, "service_ids": (crm.id,)}
    upgrade_day = today + timedelta(days=60)
    await create_release(
        session,
        kind=ReleaseKind.SALESFORCE_SEASONAL,
        name="Spring '27",
        season=Season.SPRING,
        season_year=2027,
        production_on=upgrade_day,
        **on_crm,
    )
    await create_release(session, name="R1", planned_on=today + timedelta(days=40), **on_crm)
    in_flight = await create_release(
        session, name="R0", status=ReleaseStatus.IN_PROGRESS, planned_on=today, **on_crm
    )
    await create_release(session, name="Far", planned_on=today + timedelta(days=600), **on_crm)
    await create_release(
        session,
        name="Elsewhere",
        owner_team_id=(await create_team(session)).id,
        planned_on=today + timedelta(days=41),
    )
    planner = await desk.person(session, "contributors", teams=[team.id])
    freeze = {
        "scope": "TEAM",
        "teamId": global_id("Team", team.id),
        "startsAt": (utcnow() - timedelta(hours=1)).isoformat(),
        "endsAt": datetime.combine(
            upgrade_day, datetime.min.time(), tzinfo=utcnow().tzinfo
        ).isoformat(),
        "reason": "Before Spring '27",
    }
    await planner.data(CREATE_FREEZE, {"input": freeze})
    token, _ = await _token(planner)

    response = await desk.client.get(FEED, params={"token": token, "team": "platform"})
    shipped = await planner.data(SHIP, {"input": {"id": global_id("Release", in_flight.id)}})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Releases: Platform"
    events = sorted(_events(response.content), key=lambda event: str(event[1]))
    assert [(summary, start) for summary, start, _ in events if "freeze" not in summary] == [
        ("R0 (REGULAR)", today),
        ("R1 (REGULAR)", today + timedelta(days=40)),
        ("Spring '27 (SALESFORCE_SEASONAL)", upgrade_day),
    ]
    frozen = [event for event in events if event[0] == "Release freeze: Before Spring '27"]
    assert len(frozen) == 1
    assert frozen[0][2].date() == upgrade_day
    assert shipped["shipRelease"]["release"] is None
    assert shipped["shipRelease"]["userErrors"][0]["code"] == "FROZEN"


async def test_uids_are_stable_and_sequence_follows_the_version(
    desk: Desk, session: AsyncSession
) -> None:
    team = await create_team(session, slug="platform")
    release = await create_release(
        session, owner_team_id=team.id, name="R1", planned_on=utcnow().date()
    )
    caller = await desk.person(session, "contributors")
    token, _ = await _token(caller)

    first = await desk.client.get(FEED, params={"token": token})
    release.name = "R1.1"
    await session.flush()
    second = await desk.client.get(FEED, params={"token": token})

    def only(body: bytes) -> Any:
        (event,) = Calendar.from_ical(body).walk("VEVENT")
        return event

    assert str(only(first.content)["UID"]) == f"release-{release.id}@service-catalog"
    assert str(only(second.content)["UID"]) == str(only(first.content)["UID"])
    assert (only(first.content)["SEQUENCE"], only(second.content)["SEQUENCE"]) == (1, 2)
    assert str(only(second.content)["SUMMARY"]) == "R1.1 (REGULAR)"


async def test_each_use_is_audited_and_stamped_and_the_token_is_stored_hashed(
    desk: Desk, session: AsyncSession
) -> None:
    caller = await desk.person(session, "contributors")
    token, token_id = await _token(caller, "Phone")

    fetched = await desk.client.get(FEED, params={"token": token})
    listed = await caller.data(TOKENS)
    stored = (await session.scalars(select(CalendarToken))).one()
    audited = (
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "calendarFeed"))
    ).all()

    assert fetched.status_code == 200
    assert token.startswith("scal_")
    assert stored.token_hash != token
    assert token not in stored.token_hash
    assert listed["calendarTokens"][0]["name"] == "Phone"
    assert listed["calendarTokens"][0]["lastUsedAt"] is not None
    assert [(event.outcome, event.target_id, event.actor) for event in audited] == [
        (
            AuditOutcome.SUCCESS,
            str(stored.id),
            f"person:{caller.person.id}" if caller.person else None,
        )
    ]
    assert global_id("CalendarToken", stored.id) == token_id


async def test_a_revoked_token_or_a_deactivated_person_gets_401_and_nothing_listed(
    desk: Desk, session: AsyncSession
) -> None:
    await create_release(
        session, owner_team_id=(await create_team(session)).id, planned_on=utcnow().date()
    )
    alice = await desk.person(session, "contributors")
    bob = await desk.person(session, "contributors")
    alice_token, alice_token_id = await _token(alice)
    bob_token, _ = await _token(bob)

    revoked = await alice.data(REVOKE_TOKEN, {"input": {"id": alice_token_id}})
    not_bobs = await bob.data(REVOKE_TOKEN, {"input": {"id": alice_token_id}})
    after_revoke = await desk.client.get(FEED, params={"token": alice_token})
    assert bob.person is not None
    await session.execute(update(Person).where(Person.id == bob.person.id).values(active=False))
    deactivated = await desk.client.get(FEED, params={"token": bob_token})
    unknown = await desk.client.get(FEED, params={"token": "scal_nope"})
    missing = await desk.client.get(FEED)

    assert revoked["revokeCalendarToken"]["calendarToken"]["revokedAt"] is not None
    assert not_bobs["revokeCalendarToken"] == {
        "calendarToken": None,
        "userErrors": [{"field": ["id"], "code": "NOT_FOUND"}],
    }
    for response in (after_revoke, deactivated, unknown, missing):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        assert response.headers["content-type"] == "application/problem+json"
        assert "VEVENT" not in response.text
        assert response.json()["detail"] == (
            "a valid calendar token is required (createCalendarToken)"
        )


async def test_bad_ranges_and_scopes_are_clear_errors(desk: Desk, session: AsyncSession) -> None:
    await create_service(session, slug="crm")
    caller = await desk.person(session, "contributors")
    token, _ = await _token(caller)

    def get(**params: str) -> Any:
        return desk.client.get(FEED, params={"token": token, **params})

    backwards = await get(**{"from": "2027-03-01", "to": "2027-01-01"})
    too_wide = await get(**{"from": "2027-01-01", "to": "2029-06-01"})
    not_a_day = await get(**{"from": "soon"})
    both = await get(team="platform", service="crm")
    unknown_team = await get(team="nobody")
    unknown_service = await get(service="nothing")
    fine = await get(service="crm", **{"from": "2027-01-01", "to": "2027-03-31"})

    assert [
        (response.status_code, response.json().get("detail"))
        for response in (backwards, too_wide, both, unknown_team, unknown_service)
    ] == [
        (400, "`from` must not be after `to`"),
        (400, "a range spans at most two years (731 days)"),
        (400, "give team= or service=, not both"),
        (404, "no team 'nobody'"),
        (404, "no service 'nothing'"),
    ]
    assert not_a_day.status_code == 422
    assert fine.status_code == 200
    assert Calendar.from_ical(fine.content).walk("VEVENT") == []
