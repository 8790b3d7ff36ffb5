"""Business rules of releases: plan, fill, start, ship (items RELEASED), roll back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.services import actions as services
from core.clock import utcnow
from core.errors import Invalid, NotFound, Required
from core.events import (
    BacklogItemsReleased,
    BacklogItemsUnreleased,
    ReleaseShipped,
    publish,
)
from core.history import note_extra_changes
from core.records import check_version, require_found
from core.repository import get_by_id
from core.validation import optional_text, text_field
from identity.models import Team
from identity.principal import Principal
from work.backlog import actions as work
from work.backlog.errors import InvalidTransition
from work.backlog.models import BacklogItem, BacklogItemStatus
from work.releases import freeze_actions, repository
from work.releases.models import Release, ReleaseKind, ReleaseStatus, Season
from work.releases.transitions import EDITABLE, MUTATIONS, allowed_next, season_name, ships_type

UNRELEASABLE = frozenset({BacklogItemStatus.DECLINED, BacklogItemStatus.RELEASED})


@dataclass(frozen=True)
class ReleaseFields:
    """A release as a planner describes it; None leaves the stored value."""

    name: str | None = None
    version_label: str | None = None
    planned_on: date | None = None
    season: Season | None = None
    season_year: int | None = None
    sandbox_preview_on: date | None = None
    production_on: date | None = None
    service_ids: list[uuid.UUID] | None = None


async def _check_services(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    if len(set(ids)) != len(ids):
        raise Invalid("a service is listed twice", field=["serviceIds"])
    for key in ids:
        service = await services.get_service(session, key)
        if service is None or service.archived_at is not None:
            raise NotFound("no such service", field=["serviceIds"])


def _check_dates(values: dict[str, Any]) -> None:
    preview, production = values.get("sandbox_preview_on"), values.get("production_on")
    if preview is not None and production is not None and production < preview:
        raise Invalid("productionOn must not be before sandboxPreviewOn", field=["productionOn"])


def _seasonal(kind: ReleaseKind, fields: ReleaseFields, values: dict[str, Any]) -> None:
    """A seasonal release is named after its season; other kinds have no season."""
    seasonal = (fields.season, fields.season_year, fields.sandbox_preview_on, fields.production_on)
    if kind is not ReleaseKind.SALESFORCE_SEASONAL:
        if any(value is not None for value in seasonal):
            raise Invalid("only a SALESFORCE_SEASONAL release has a season", field=["season"])
        return
    if fields.season is None or fields.season_year is None:
        raise Required("a seasonal release needs its season and year", field=["season"])
    if not 2000 <= fields.season_year <= 2999:
        raise Invalid("seasonYear is a four-digit year", field=["seasonYear"])
    values.update(season=Season(fields.season), season_year=fields.season_year)
    values.setdefault("name", season_name(Season(fields.season), fields.season_year))
    values.setdefault("planned_on", fields.production_on)


async def create_release(
    session: AsyncSession,
    *,
    principal: Principal,
    owner_team_id: uuid.UUID,
    kind: ReleaseKind,
    fields: ReleaseFields,
) -> Release:
    """A PLANNED release, run by its owner team; a seasonal one is named after its season."""
    require_found(await get_by_id(session, Team, owner_team_id), what="team", field="ownerTeamId")
    await work.require_planner(
        session, principal, team_id=owner_team_id, action="planning releases"
    )
    kind = ReleaseKind(kind)
    values = _plain(fields)
    _seasonal(kind, fields, values)
    if not values.get("name"):
        raise Required("name must not be empty", field=["name"])
    _check_dates(values)
    service_ids = fields.service_ids or []
    await _check_services(session, service_ids)
    release = Release(id=uuid.uuid4(), owner_team_id=owner_team_id, kind=kind, **values)
    if service_ids:
        await _note_services(session, release.id, [], service_ids)
    session.add(release)
    await session.flush()
    await repository.replace_services(session, release.id, service_ids)
    return release


def _plain(fields: ReleaseFields) -> dict[str, Any]:
    """The given scalar fields, checked (services and the season are handled apart)."""
    values: dict[str, Any] = {}
    if fields.name is not None:
        values["name"] = text_field(fields.name, field="name", max_length=200)
    if fields.version_label is not None:
        values["version_label"] = optional_text(
            fields.version_label, field="versionLabel", max_length=50
        )
    for name in ("planned_on", "sandbox_preview_on", "production_on"):
        if getattr(fields, name) is not None:
            values[name] = getattr(fields, name)
    return values


async def _note_services(
    session: AsyncSession, release_id: uuid.UUID, before: list[uuid.UUID], after: list[uuid.UUID]
) -> None:
    change = {"field": "service_ids", "from": before, "to": after}
    await note_extra_changes(session, record_id=release_id, changes=[change])


async def planned_release(
    session: AsyncSession, principal: Principal, release_id: uuid.UUID, *, field: str = "id"
) -> Release:
    """The release, locked, once the caller is known to plan it."""
    release = require_found(
        await repository.lock_release(session, release_id), what="release", field=field
    )
    await work.require_planner(
        session, principal, team_id=release.owner_team_id, action="planning releases"
    )
    return release


def _require_editable(release: Release) -> None:
    if release.status not in EDITABLE:
        raise Invalid(f"a {release.status} release no longer changes", field=["id"])


async def update_release(
    session: AsyncSession,
    *,
    principal: Principal,
    release_id: uuid.UUID,
    version: int | None,
    fields: ReleaseFields,
) -> Release:
    """Rename, re-date or re-scope a release until it ships."""
    release = await planned_release(session, principal, release_id)
    check_version(release, version)
    _require_editable(release)
    if (fields.season, fields.season_year) != (None, None):
        raise Invalid("the season of a release does not change", field=["season"])
    if release.kind is not ReleaseKind.SALESFORCE_SEASONAL and (
        fields.sandbox_preview_on or fields.production_on
    ):
        raise Invalid("only a SALESFORCE_SEASONAL release has a season", field=["season"])
    values = _plain(fields)
    _check_dates(
        {
            "sandbox_preview_on": values.get("sandbox_preview_on", release.sandbox_preview_on),
            "production_on": values.get("production_on", release.production_on),
        }
    )
    if fields.service_ids is not None:
        await _replace_services(session, release, fields.service_ids)
    for name, value in values.items():
        setattr(release, name, value)
    await session.flush()
    return release


async def _replace_services(
    session: AsyncSession, release: Release, wanted: list[uuid.UUID]
) -> None:
    await _check_services(session, wanted)
    needed = {item.service_id for item in await repository.items_of(session, release.id)}
    if needed - {None} - set(wanted):
        raise Invalid("the release has items for a service left out", field=["serviceIds"])
    current = await repository.service_ids(session, release.id)
    if sorted(wanted) != current:
        await _note_services(session, release.id, current, wanted)
        await repository.replace_services(session, release.id, wanted)
        release.updated_at = func.now()  # the version (and history) move with the list


async def add_to_release(
    session: AsyncSession,
    *,
    principal: Principal,
    release_id: uuid.UUID,
    item_ids: Sequence[uuid.UUID],
) -> Release:
    """Items planned for the release; their services join it. A HOTFIX release takes only fixes."""
    release = await planned_release(session, principal, release_id, field="releaseId")
    _require_editable(release)
    items = await work.planned_items(session, principal, item_ids)
    others = await repository.active_releases(
        session, [item.release_id for item in items if item.release_id not in (None, release.id)]
    )
    for item in items:
        _check_item(release, item, others)
        item.release_id = release.id
    current = await repository.service_ids(session, release.id)
    missing = [key for key in dict.fromkeys(item.service_id for item in items) if key is not None]
    wanted = current + [key for key in missing if key not in current]
    if wanted != current:
        await _note_services(session, release.id, current, wanted)
        await repository.replace_services(session, release.id, wanted)
        release.updated_at = func.now()
    await session.flush()
    return release


def _check_item(release: Release, item: BacklogItem, others: dict[uuid.UUID, Release]) -> None:
    if item.status in UNRELEASABLE:
        raise Invalid(f"{item.title!r} is {item.status}", field=["itemIds"])
    if not ships_type(release.kind, item.type):
        raise Invalid(
            f"a HOTFIX release ships only hot fixes and vulnerabilities, not {item.type}",
            field=["itemIds"],
        )
    other = others.get(item.release_id) if item.release_id else None
    if other is not None:
        raise Invalid(
            f"{item.title!r} is already planned for {other.name}; remove it there first",
            field=["itemIds"],
        )


async def remove_from_release(
    session: AsyncSession,
    *,
    principal: Principal,
    release_id: uuid.UUID,
    item_ids: Sequence[uuid.UUID],
) -> Release:
    """Take items out of a release that has not shipped; its services stay."""
    release = await planned_release(session, principal, release_id, field="releaseId")
    _require_editable(release)
    for item in await work.planned_items(session, principal, item_ids):
        if item.release_id != release.id:
            raise Invalid(f"{item.title!r} is not in this release", field=["itemIds"])
        item.release_id = None
    await session.flush()
    return release


def _move(release: Release, to: ReleaseStatus) -> None:
    if to not in allowed_next(release.status):
        allowed = ", ".join(
            f"{state} (by {MUTATIONS[state]})" for state in allowed_next(release.status)
        )
        raise InvalidTransition(
            f"a {release.status} release cannot become {to}; allowed next: {allowed or 'none'}",
            field=["id"],
        )
    release.status = to


async def start_release(
    session: AsyncSession, *, principal: Principal, release_id: uuid.UUID, version: int | None
) -> Release:
    """PLANNED -> IN_PROGRESS."""
    release = await planned_release(session, principal, release_id)
    check_version(release, version)
    _move(release, ReleaseStatus.IN_PROGRESS)
    release.started_at = utcnow()
    await session.flush()
    return release


async def ship_release(
    session: AsyncSession,
    *,
    principal: Principal,
    release_id: uuid.UUID,
    version: int | None,
    override_freeze_reason: str | None = None,
) -> Release:
    """IN_PROGRESS -> RELEASED: every item RELEASED and stamped; linked work hears of it.

    Inside a freeze window only a HOTFIX release ships, unless an ADMIN overrides with a
    reason (kept on the release, so in its history)."""
    release = await planned_release(session, principal, release_id)
    check_version(release, version)
    _move(release, ReleaseStatus.RELEASED)
    items = await repository.items_of(session, release.id)
    unfinished = [item for item in items if item.status is not BacklogItemStatus.DONE]
    if unfinished:
        listed = ", ".join(f"{item.title!r} ({item.status})" for item in unfinished[:5])
        raise Invalid(f"every item must be DONE before shipping: {listed}", field=["id"])
    wrong = [item for item in items if not ships_type(release.kind, item.type)]
    if wrong:
        raise Invalid("a HOTFIX release ships only hot fixes and vulnerabilities", field=["id"])
    now = utcnow()
    release.freeze_override_reason = await freeze_actions.check_freeze(
        session, principal, release, at=now, override_reason=override_freeze_reason
    )
    release.released_at = now
    released = await work.release_items(session, [item.id for item in items], at=now)
    await session.flush()
    if released:
        await publish(session, BacklogItemsReleased(tuple(released)))
    await publish(session, ReleaseShipped(release.id))
    return release


async def roll_back_release(
    session: AsyncSession, *, principal: Principal, release_id: uuid.UUID, version: int | None
) -> Release:
    """RELEASED -> ROLLED_BACK: its items return to DONE; linked work hears of it."""
    release = await planned_release(session, principal, release_id)
    check_version(release, version)
    _move(release, ReleaseStatus.ROLLED_BACK)
    release.rolled_back_at = utcnow()
    items = await repository.items_of(session, release.id)
    unreleased = await work.unrelease_items(session, [item.id for item in items])
    await session.flush()
    if unreleased:
        await publish(session, BacklogItemsUnreleased(tuple(unreleased)))
    return release


async def get_release(session: AsyncSession, release_id: uuid.UUID) -> Release | None:
    return await get_by_id(session, Release, release_id)
