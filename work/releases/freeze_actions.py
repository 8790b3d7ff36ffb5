"""Freeze windows: create, change and delete them; and the rule `shipRelease` obeys.

`create_freeze_window` is also the door for automatic freezes (e.g. before a seasonal
Salesforce upgrade): call it with the principal the automation acts as."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions as services
from core.errors import Frozen, Invalid, NotFound
from core.records import check_version, delete_record, require_found
from core.repository import get_by_id
from core.validation import text_field
from identity.models import Team
from identity.permissions import require_admin
from identity.principal import Principal
from work.backlog import actions as work
from work.releases import freeze_repository
from work.releases.calendar import MAX_RANGE
from work.releases.models import FreezeScope, FreezeWindow, Release, ReleaseKind

ACTION = "managing freeze windows"


@dataclass(frozen=True)
class FreezeFields:
    """A freeze window as described; None leaves the stored value."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    reason: str | None = None


async def _require_scope_editor(
    session: AsyncSession,
    principal: Principal,
    scope: FreezeScope,
    service_id: uuid.UUID | None,
    team_id: uuid.UUID | None,
) -> None:
    """Org-wide: ADMIN. A service's: its owner team or product owner. A team's: the team."""
    if scope is FreezeScope.ORGANISATION:
        require_admin(principal, action="an organisation-wide freeze")
    elif scope is FreezeScope.SERVICE:
        assert service_id is not None
        service = await services.get_service(session, service_id)
        if service is None:
            raise NotFound("no such service", field=["serviceId"])
        await work.require_planner(
            session, principal, team_id=service.owner_team_id, service=service, action=ACTION
        )
    else:
        assert team_id is not None
        if await get_by_id(session, Team, team_id) is None:
            raise NotFound("no such team", field=["teamId"])
        await work.require_planner(session, principal, team_id=team_id, action=ACTION)


def _check_target(
    scope: FreezeScope, service_id: uuid.UUID | None, team_id: uuid.UUID | None
) -> None:
    """A SERVICE freeze names its service, a TEAM freeze its team, an org-wide one neither."""
    if (scope is FreezeScope.SERVICE) != (service_id is not None):
        raise Invalid("a SERVICE freeze, and only it, names a serviceId", field=["serviceId"])
    if (scope is FreezeScope.TEAM) != (team_id is not None):
        raise Invalid("a TEAM freeze, and only it, names a teamId", field=["teamId"])


def _check_span(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise Invalid("times need a UTC offset", field=["startsAt"])
    if ends_at <= starts_at:
        raise Invalid("endsAt must be after startsAt", field=["endsAt"])
    if ends_at - starts_at > MAX_RANGE:
        raise Invalid("a freeze window spans at most two years (731 days)", field=["endsAt"])


def _reason(value: str) -> str:
    return text_field(value, field="reason", max_length=2_000)


async def create_freeze_window(
    session: AsyncSession,
    *,
    principal: Principal,
    scope: FreezeScope,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    service_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
) -> FreezeWindow:
    """A freeze window: org-wide (ADMIN), for a service (its owner team or product owner) or
    for a team (its members); releases in scope do not ship inside it."""
    scope = FreezeScope(scope)
    _check_target(scope, service_id, team_id)
    await _require_scope_editor(session, principal, scope, service_id, team_id)
    _check_span(starts_at, ends_at)
    window = FreezeWindow(
        id=uuid.uuid4(),
        scope=scope,
        service_id=service_id,
        team_id=team_id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=_reason(reason),
        created_by=principal.actor,
    )
    session.add(window)
    await session.flush()
    return window


async def _editable(
    session: AsyncSession, principal: Principal, window_id: uuid.UUID
) -> FreezeWindow:
    window = require_found(
        await freeze_repository.lock_window(session, window_id), what="freeze window"
    )
    await _require_scope_editor(session, principal, window.scope, window.service_id, window.team_id)
    return window


async def update_freeze_window(
    session: AsyncSession,
    *,
    principal: Principal,
    window_id: uuid.UUID,
    version: int,
    fields: FreezeFields,
) -> FreezeWindow:
    """Move or re-explain a freeze window (whoever may create it); its scope stays."""
    window = await _editable(session, principal, window_id)
    check_version(window, version)
    starts_at = fields.starts_at or window.starts_at
    ends_at = fields.ends_at or window.ends_at
    _check_span(starts_at, ends_at)
    window.starts_at, window.ends_at = starts_at, ends_at
    if fields.reason is not None:
        window.reason = _reason(fields.reason)
    await session.flush()
    return window


async def delete_freeze_window(
    session: AsyncSession, *, principal: Principal, window_id: uuid.UUID, version: int
) -> None:
    """Lift a freeze window (whoever may create it); its history stays."""
    window = await _editable(session, principal, window_id)
    await delete_record(session, window, version, what="freeze window")


async def check_freeze(
    session: AsyncSession,
    principal: Principal,
    release: Release,
    *,
    at: datetime,
    override_reason: str | None,
) -> str | None:
    """Refuse shipping inside a freeze window with FROZEN, unless the release is a hot fix or
    an ADMIN overrides with a reason. Returns the override reason when one was used."""
    if release.kind is ReleaseKind.HOTFIX:
        return None
    windows = await freeze_repository.windows_meeting(session, release, at)
    if not windows:
        return None
    first = windows[0]
    named = f"frozen until {first.ends_at.isoformat()} ({first.reason})"
    if override_reason is None or not override_reason.strip():
        raise Frozen(
            f"{named}; only hot fixes ship, or an ADMIN overriding with a reason",
            field=["id"],
        )
    if not principal.is_admin:
        raise Frozen(
            f"{named}; only an ADMIN may override a freeze", field=["overrideFreezeReason"]
        )
    return text_field(override_reason, field="overrideFreezeReason", max_length=2_000)
