"""GET /calendar/releases.ics: the release calendar for calendar clients (RFC 5545).

Calendar clients cannot send bearer tokens, so the feed authenticates with a per-person
calendar token in the query string (`createCalendarToken`; revocable). A missing, unknown or
revoked token, or one of a deactivated person, gets 401 and lists nothing; each use is
audited and stamps the token's last use. `team=<slug>` or `service=<slug>` narrows the feed
(releases run by the team or changing its services, and the freeze windows that apply);
`from` and `to` (days, at most two years apart) default to 90 days back and a year ahead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from starlette.responses import Response

from catalog.services import actions as services
from core.clock import utcnow
from core.errors import DomainError
from core.problems import problem, problem_schema
from identity import repository as identity_repository
from identity.audit import AuditEntry, AuditOutcome, RequestFacts, record
from identity.calendar_tokens import actions as calendar_tokens
from identity.principal import Principal
from work.releases import freeze_repository, repository
from work.releases.calendar import check_range
from work.releases.ical import MEDIA_TYPE, release_calendar
from work.releases.models import FreezeWindow, Release

router = APIRouter(tags=["calendar"])

FEED_PATH = "/calendar/releases.ics"
DEFAULT_PAST = timedelta(days=90)
DEFAULT_AHEAD = timedelta(days=365)
# A feed lists at most this many releases and as many freeze windows.
MAX_EVENTS = 2_000
AUDIT_ACTION = "calendarFeed"


class Refused(Exception):
    def __init__(self, response: Response, reason: str) -> None:
        super().__init__(reason)
        self.response = response
        self.reason = reason


@dataclass(frozen=True)
class Scope:
    """What the feed covers: everything, one team's or one service's calendar."""

    name: str
    team_ids: tuple[uuid.UUID, ...] = ()
    service_ids: tuple[uuid.UUID, ...] = ()


def _facts(request: Request) -> RequestFacts:
    facts = getattr(request.state, "facts", None)
    return facts if isinstance(facts, RequestFacts) else RequestFacts()


def _days(start: date | None, end: date | None) -> tuple[date, date]:
    """The days asked for; by default from 90 days back to a year ahead (a bound given
    alone: 455 days from it)."""
    span = DEFAULT_PAST + DEFAULT_AHEAD
    if start is None and end is None:
        start = utcnow().date() - DEFAULT_PAST
    if start is None:
        assert end is not None
        start = end - span
    if end is None:
        end = start + span
    try:
        check_range(start, end)
    except DomainError as error:
        raise Refused(problem(400, error.message), "bad range") from None
    return start, end


async def _scope(session: AsyncSession, team: str | None, service: str | None) -> Scope:
    if team is not None and service is not None:
        raise Refused(problem(400, "give team= or service=, not both"), "two scopes")
    if team is not None:
        found_team = await identity_repository.get_team_by_slug(session, team)
        if found_team is None:
            raise Refused(problem(404, f"no team {team!r}"), "unknown team")
        return Scope(f"Releases: {found_team.name}", team_ids=(found_team.id,))
    if service is not None:
        found = await services.find_service(session, slug=service)
        if found is None:
            raise Refused(problem(404, f"no service {service!r}"), "unknown service")
        return Scope(f"Releases: {found.name}", service_ids=(found.id,))
    return Scope("Releases")


async def _events(
    session: AsyncSession, scope: Scope, days: tuple[date, date]
) -> tuple[list[Release], list[FreezeWindow]]:
    release_filter = repository.ReleaseFilter(
        from_day=days[0], to_day=days[1], team_ids=scope.team_ids, service_ids=scope.service_ids
    )
    releases = await session.scalars(
        repository.releases_query(release_filter)
        .options(selectinload(Release.services))
        .order_by(*repository.calendar_order())
        .limit(MAX_EVENTS)
    )
    freeze_filter = freeze_repository.FreezeFilter(
        starts=_midnight(days[0]),
        ends=_midnight(days[1] + timedelta(days=1)),
        team_ids=scope.team_ids,
        service_ids=scope.service_ids,
    )
    windows = await session.scalars(
        freeze_repository.freeze_windows_query(freeze_filter)
        .order_by(FreezeWindow.starts_at, FreezeWindow.id)
        .limit(MAX_EVENTS)
    )
    return list(releases), list(windows)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _unauthorized() -> Refused:
    # RFC 6750 allows the token in the query; every 401 carries its challenge.
    response = problem(
        401,
        "a valid calendar token is required (createCalendarToken)",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )
    return Refused(response, "bad token")


@router.get(
    FEED_PATH,
    response_class=Response,
    responses={
        200: {"description": "The calendar (RFC 5545).", "content": {"text/calendar": {}}},
        **problem_schema(400, 401, 404),
    },
    summary="The release calendar for calendar clients",
)
async def release_feed(
    request: Request,
    token: Annotated[
        str | None, Query(description="A calendar token (createCalendarToken).")
    ] = None,
    team: Annotated[str | None, Query(description="A team's slug.")] = None,
    service: Annotated[str | None, Query(description="A service's slug.")] = None,
    from_: Annotated[date | None, Query(alias="from", description="First day.")] = None,
    to: Annotated[date | None, Query(description="Last day (at most two years on).")] = None,
) -> Response:
    """Releases and freeze windows, per team or service, behind a per-person calendar token."""
    state = request.app.state
    facts = _facts(request)
    principal: Principal | None = None
    try:
        async with state.sessionmaker() as session, session.begin():
            found = await calendar_tokens.person_for_token(session, token)
            if found is None:
                raise _unauthorized()
            row, person = found
            principal = Principal(
                subject=person.subject,
                issuer=person.issuer,
                granted_roles=frozenset(),
                person_id=person.id,
            )
            days = _days(from_, to)
            scope = await _scope(session, team, service)
            releases, windows = await _events(session, scope, days)
            body = release_calendar(
                name=scope.name, releases=releases, windows=windows, stamp=utcnow()
            )
            details = {"door": "CALENDAR", "team": team, "service": service}
            entry = AuditEntry(
                AUDIT_ACTION, AuditOutcome.SUCCESS, "CalendarToken", str(row.id), details
            )
            await record(session, entry, principal=principal, facts=facts)
    except Refused as refusal:
        refused: dict[str, Any] = {
            "door": "CALENDAR",
            "status": refusal.response.status_code,
            "reason": refusal.reason,
        }
        await state.refusals.refused(
            AuditEntry(AUDIT_ACTION, AuditOutcome.REFUSED, details=refused),
            principal=principal,
            facts=facts,
        )
        return refusal.response
    return Response(
        body,
        media_type=MEDIA_TYPE,
        headers={"Cache-Control": "private, max-age=300"},
    )
